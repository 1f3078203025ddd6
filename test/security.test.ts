/**
 * Locked-down connections and data at rest: a Redis that wants a password and speaks TLS only
 * (started here, with certificates of its own CA), payloads and shared state encrypted under a
 * key (MPFLOW_ENCRYPTION_KEY), and one run's objects out of another run's reach.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { WorkflowHandle } from '@temporalio/client';
import { certificates, devLambdaEndpoint, redisTlsArgs } from '../infra/dev-stack.js';
import { deployLambda } from '../infra/lambda-deploy.js';
import { redisUrlTrusting } from '../state/core.js';
import { RedisStore } from '../state/store.js';
import { freshStorage, harness, mpflowCommand, onEveryEngine, timed, type Harness } from '../testing/harness.js';
import { connectClient, startMain } from '../workers/client.js';
import { lambdaConfig, readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { dataConverter } from '../workers/worker.js';

const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const withKeys = (keys: string) => readConfig({ ...process.env, MPFLOW_ENCRYPTION_KEY: keys });

/** Every byte array in a run's history that holds `marker`, by the path that leads to it. */
async function historyHolding(handle: WorkflowHandle, marker: string): Promise<string[]> {
  const needle = Buffer.from(marker);
  const found: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (value instanceof Uint8Array) {
      if (Buffer.from(value).includes(needle)) found.push(path);
    } else if (value && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) visit(child, `${path}.${name}`);
    }
  };
  visit((await handle.fetchHistory()).events, 'events');
  return found;
}

describe("a run's data encrypted under MPFLOW_ENCRYPTION_KEY", { timeout: 300_000 }, () => {
  const marker = `marker-${randomUUID()}`;
  let sealed: Harness;
  let plain: Harness;
  let onLambda: Harness;
  let onLambdaWithoutKey: Harness;

  before(async () => {
    const config = withKeys(`k1:${K1}`);
    sealed = await harness('temporal', 'test/programs/sealed', {}, { kind: 'local' }, config);
    plain = await harness('temporal', 'test/programs/sealed');
    // The function gets the key as `mpflow deploy lambda` gives it: in its environment.
    const program = resolveProgram('test/programs/sealed');
    const lambda = { ...lambdaConfig(config, program.name), endpoint: devLambdaEndpoint(config.dev), functionName: `mpflow-test-sealed-${process.pid}`, timeoutSeconds: 60, memoryMb: 512, concurrency: 8 };
    await deployLambda(program, lambda, config.cipher!.environment);
    onLambda = await harness('temporal', 'test/programs/sealed', {}, { kind: 'lambda', config: lambda }, config);
    const keyless = { ...lambda, functionName: `mpflow-test-sealed-keyless-${process.pid}` };
    await deployLambda(program, keyless);
    onLambdaWithoutKey = await harness('temporal', 'test/programs/sealed', { dispatch: 'activity' }, { kind: 'lambda', config: keyless }, config);
  });

  after(async () => {
    await sealed.close();
    await plain.close();
    await onLambda.close();
    await onLambdaWithoutKey.close();
  });

  const expected = (tag: string) => ({
    echoed: `${tag}-piped!`,
    fromTask: `${tag}!`,
    taken: `${tag}-queued`,
    length: (tag.length + 1) * 40_000,
    dictValue: `${tag}-value`,
    listIndex: 0,
    result: `${tag}-result`,
  });

  it('leaves no plaintext of the program’s data in history, claim checks or Redis; the program sees its data as it was', async () => {
    const handle = await sealed.start!('main', marker, sealed.endpoints.redisUrl);
    const { seenInRedis, ...seen } = (await handle.result()) as { seenInRedis: { keys: number; holdingMarker: string[] } };
    assert.deepEqual(seen, expected(marker));
    assert.ok(seenInRedis.keys > 0, 'the look through Redis found keys');
    assert.deepEqual(seenInRedis.holdingMarker, []);
    assert.deepEqual(await historyHolding(handle, marker), []);
  });

  it('the same on the Lambda backend, the function holding the key in its environment', async () => {
    const tag = `lambda-${randomUUID()}`;
    const handle = await onLambda.start!('main', tag, onLambda.endpoints.redisUrl);
    const { seenInRedis, ...seen } = (await handle.result()) as { seenInRedis: { keys: number; holdingMarker: string[] } };
    assert.deepEqual(seen, expected(tag));
    assert.deepEqual(seenInRedis.holdingMarker, []);
    assert.deepEqual(await historyHolding(handle, tag), []);
  });

  it('a task on a function deployed without the key fails, naming the key it lacks', async () => {
    await assert.rejects(onLambdaWithoutKey.run('takeInTask', 'sealed item'), { name: 'SetupError', message: /data encrypted with key 'k1', which this process does not have/ });
  });

  it('(the same program without a key leaves its marker in both: the looks above can see it)', async () => {
    const tag = `plain-${randomUUID()}`;
    const handle = await plain.start!('main', tag, plain.endpoints.redisUrl);
    const { seenInRedis, ...seen } = (await handle.result()) as { seenInRedis: { holdingMarker: string[] } };
    assert.deepEqual(seen, expected(tag));
    assert.ok(seenInRedis.holdingMarker.length > 0, 'Redis holds the plain marker');
    assert.ok((await historyHolding(handle, tag)).length > 0, 'history holds the plain marker');
  });

  it('rotates keys: with k2 first and k1 kept, a run sealed under k1 still reads; without k1 the error names it', async () => {
    const handle = await sealed.start!('main', `rotated-${randomUUID()}`, sealed.endpoints.redisUrl);
    await handle.result();
    for (const [keys, outcome] of [
      [`k2:${K2},k1:${K1}`, 'reads'],
      [`k2:${K2}`, /data encrypted with key 'k1', which this process does not have: set MPFLOW_ENCRYPTION_KEY/],
    ] as const) {
      const config = withKeys(keys);
      const client = await connectClient(sealed.endpoints, dataConverter(config, sealed.store));
      try {
        const reading = client.workflow.getHandle(handle.workflowId).result();
        if (outcome === 'reads') assert.equal(((await reading) as { result: string }).result.startsWith('rotated-'), true);
        else await assert.rejects(reading, { message: outcome });
      } finally {
        await client.connection.close();
      }
    }
  });

  it('a worker without the key fails the run’s workflow task with an error naming the key, never running it', async () => {
    const client = await connectClient(plain.endpoints, dataConverter(withKeys(`k1:${K1}`), plain.store));
    try {
      const handle = await startMain(client, { program: plain.program, args: [`unread-${randomUUID()}`, plain.endpoints.redisUrl], taskQueue: plain.taskQueue, options: { cpuCount: 2, storage: freshStorage('file'), pricing: plain.config.pricing } });
      let failure: string | undefined;
      for (const deadline = Date.now() + 30_000; !failure && Date.now() < deadline; await sleep(200)) {
        const { events } = await handle.fetchHistory();
        failure = events?.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
      }
      await handle.terminate('the test is over');
      assert.match(failure ?? 'no workflow task failed', /data encrypted with key 'k1', which this process does not have/);
    } finally {
      await client.connection.close();
    }
  });
});

onEveryEngine("one run's objects", 'test/programs/sealed', (h) => {
  it("are out of another run's reach, even given their serialized handle", async () => {
    const handlePath = `handle-${randomUUID()}`;
    const holding = h().run<string>('queueHolding', 'secret', handlePath, 3_000);
    let peeked: unknown;
    for (const deadline = Date.now() + 20_000; peeked === undefined && Date.now() < deadline; await sleep(200)) {
      peeked = await h().run('peekAtOtherRun', handlePath).catch((error: Error) => (error.message.includes('ENOENT') ? undefined : Promise.reject(error)));
    }
    assert.deepEqual(peeked, { size: 0, got: null });
    assert.equal(await holding, 'secret', 'the first run still held it');
  });
});

describe('Redis with a password and an ACL user, over TLS only', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpflow-redis-tls-'));
  const port = 6400 + (process.pid % 500);
  const password = randomBytes(12).toString('hex');
  let redis: ChildProcess;
  let url: string;
  /** As a user of Redis's ACLs, not its default user. */
  let aclUserUrl: string;

  before(async () => {
    const made = certificates(join(dir, 'tls'));
    redis = spawn('redis-server', [...redisTlsArgs(made, port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    url = `rediss://:${password}@127.0.0.1:${port}`;
    for (let up = false; !up; await sleep(100)) up = await RedisStore.connect(redisUrlTrusting(url, readFileSync(made.ca, 'utf8'))).then((store) => store.close().then(() => true), () => false);
    const admin = new Redis(port, '127.0.0.1', { password, tls: { ca: readFileSync(made.ca) } });
    const userPassword = randomBytes(12).toString('hex');
    await admin.call('ACL', 'SETUSER', 'mpflow-user', 'on', `>${userPassword}`, '~*', '&*', '+@all');
    admin.disconnect();
    aclUserUrl = `rediss://mpflow-user:${userPassword}@127.0.0.1:${port}`;
  });

  after(async () => {
    redis.kill();
    await once(redis, 'exit');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong password fails at once, naming WRONGPASS and where the password goes', async () => {
    const wrong = redisUrlTrusting(`rediss://:nope@127.0.0.1:${port}`, readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'));
    const [error, ms] = await timed(() => RedisStore.connect(wrong).then(() => undefined, (e: Error) => e));
    assert.match(error?.message ?? '', /^Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused mpflow: WRONGPASS .*MPFLOW_REDIS_URL/);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  it('a CA it does not trust fails at once, naming MPFLOW_REDIS_CA', async () => {
    const [error, ms] = await timed(() => RedisStore.connect(url).then(() => undefined, (e: Error) => e));
    assert.match(error?.message ?? '', /TLS certificate is not trusted here .*MPFLOW_REDIS_CA/);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  it("the shared-state suite's core passes over rediss://, as an ACL user, on both engines (queues, locks and the rest, managers)", async () => {
    const suite = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', 'test/queue.test.ts', 'test/synchronize.test.ts', 'test/managers.test.ts'], {
      // A suite of its own, reporting as one: not as a child of this test runner (NODE_TEST_CONTEXT).
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, MPFLOW_REDIS_URL: aclUserUrl, MPFLOW_REDIS_CA: join(dir, 'tls', 'ca.pem') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report = '';
    suite.stdout!.on('data', (chunk: Buffer) => (report += chunk));
    const [code] = await once(suite, 'close');
    const summary = report.split('\n').filter((line) => /^# (pass|fail) /.test(line));
    assert.equal(code, 0, `the suite failed:\n${report.split('\n').filter((line) => /not ok/.test(line)).join('\n')}`);
    assert.deepEqual(summary.find((line) => line.startsWith('# fail')), '# fail 0');
    assert.ok(Number(summary.find((line) => line.startsWith('# pass'))?.slice(7)) > 40, summary.join(', '));
  });
});

describe('Temporal over mTLS, configured the way Temporal’s own tools are (TEMPORAL_TLS_*)', { timeout: 180_000 }, () => {
  // The dev server speaks plaintext only: a TLS front that demands a client certificate stands
  // where a production server's TLS would, passing the HTTP/2 bytes through.
  const dir = mkdtempSync(join(tmpdir(), 'mpflow-temporal-tls-'));
  const made = certificates(dir);
  let front: TlsServer;
  let address: string;
  const clientsSeen: boolean[] = [];
  const env = (client: boolean) => ({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: made.ca,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    ...(client ? { TEMPORAL_TLS_CLIENT_CERT_PATH: made.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: made.clientKey } : {}),
    MPFLOW_TASK_QUEUE: `test-security-${process.pid}`,
  });

  before(async () => {
    const plain = readConfig().dev.temporalPort;
    front = createTlsServer({ key: readFileSync(made.key), cert: readFileSync(made.cert), ca: readFileSync(made.ca), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] }, (socket) => {
      clientsSeen.push(socket.authorized);
      const server = connectTcp(plain, '127.0.0.1');
      socket.pipe(server).pipe(socket);
      for (const end of [socket, server]) end.on('error', () => [socket, server].forEach((each) => each.destroy()));
    });
    front.on('tlsClientError', () => {});
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    address = `127.0.0.1:${(front.address() as { port: number }).port}`;
  });

  after(async () => {
    front.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run goes through, its client and its worker presenting the client certificate', async () => {
    const run = await mpflowCommand(['run', 'examples/pi', '--json', '--', '100000', '2'], env(true));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Math.abs((run.json.result as number) - Math.PI) < 0.1);
    assert.ok(clientsSeen.length >= 2 && clientsSeen.every(Boolean), `connections through the front: ${clientsSeen}`);
  });

  it('without the client certificate the server refuses it, and the run fails at once, saying TLS was on', async () => {
    const run = await mpflowCommand(['run', 'examples/pi', '--', '1000', '2'], env(false));
    assert.equal(run.code, 1);
    assert.match(run.stderr.trim(), new RegExp(`^mpflow: cannot reach Temporal at ${address} over TLS \\(TEMPORAL_TLS, TEMPORAL_API_KEY or a profile turned it on\\): `));
    assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
  });
});
