import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { devLambdaEndpoint as devEndpointOf } from '../infra/dev-stack.js';
import { deployLambda, undeployLambda } from '../infra/lambda-deploy.js';
import { zip } from '../infra/zip.js';
import { ProcessError } from '../mp-shim/errors.js';
import type { LambdaConfig } from '../compute/lambda/backend.js';
import { lambdaConfig, readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { ENGINES, deployToDevLambda, harness, type Harness } from '../testing/harness.js';

const run = promisify(execFile);
const settings = readConfig();
const devLambdaEndpoint = devEndpointOf(settings.dev);

/** A client that makes one attempt per call, so the endpoint's answers are seen as they are. */
const client = new LambdaClient({ region: 'us-east-1', endpoint: devLambdaEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

after(() => client.destroy());

async function invoke(FunctionName: string, event: object, InvocationType: 'RequestResponse' | 'Event' = 'RequestResponse') {
  const reply = await client.send(new InvokeCommand({ FunctionName, InvocationType, Payload: JSON.stringify(event) }));
  const text = new TextDecoder().decode(reply.Payload ?? new Uint8Array());
  return { status: reply.StatusCode, functionError: reply.FunctionError, payload: text ? JSON.parse(text) : undefined };
}

async function setFaults(faults: { errors?: number; timeouts?: number; throttles?: number }): Promise<void> {
  const response = await fetch(`${devLambdaEndpoint}/_mpflow/faults`, { method: 'PUT', body: JSON.stringify({ errors: 0, timeouts: 0, throttles: 0, ...faults }) });
  assert.equal(response.status, 200);
}

async function stats(): Promise<{ injected: number; throttled: number; invocations: number }> {
  return (await fetch(`${devLambdaEndpoint}/_mpflow/stats`)).json() as Promise<{ injected: number; throttled: number; invocations: number }>;
}

describe('the local Lambda endpoint answers the Invoke API as AWS does', { timeout: 120_000 }, () => {
  const name = `mpflow-test-raw-${process.pid}`;
  before(async () => {
    const ZipFile = zip({ 'index.mjs': readFileSync('test/programs/lambda-raw/index.mjs') });
    await client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/test', Handler: 'index.handler', Code: { ZipFile }, Timeout: 5 }));
  });
  after(async () => {
    await setFaults({});
    await client.send(new DeleteFunctionCommand({ FunctionName: name }));
  });

  it('RequestResponse returns what the handler returned; the first call of a container is its cold start', async () => {
    const first = await invoke(name, { action: 'echo', value: [1, 'two'] });
    const second = await invoke(name, { action: 'echo', value: 3 });
    assert.deepEqual([first.status, first.payload.echo, first.payload.coldStart], [200, [1, 'two'], true]);
    assert.deepEqual([second.payload.echo, second.payload.coldStart, second.payload.pid], [3, false, first.payload.pid]);
  });

  it('Event answers 202 at once and runs the handler afterwards', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mpflow-lambda-')), 'marks');
    const reply = await invoke(name, { action: 'mark', path, value: 'ran' }, 'Event');
    assert.deepEqual([reply.status, reply.payload], [202, undefined]);
    for (let i = 0; i < 100 && !safeRead(path); i++) await sleep(50);
    assert.equal(safeRead(path), 'ran\n');
  });

  it('a handler that throws is FunctionError Unhandled, with errorType, errorMessage and trace', async () => {
    const { status, functionError, payload } = await invoke(name, { action: 'throw', value: 'on purpose' });
    assert.deepEqual([status, functionError, payload.errorType, payload.errorMessage], [200, 'Unhandled', 'TypeError', 'asked to fail: on purpose']);
    assert.match(payload.trace.join('\n'), /index\.mjs/);
  });

  it('a request over 6 MB is a 413 RequestTooLargeException', async () => {
    await assert.rejects(invoke(name, { action: 'echo', value: 'x'.repeat(7 * 1024 * 1024) }), (error: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.deepEqual([error.name, error.$metadata.httpStatusCode], ['RequestTooLargeException', 413]);
      return true;
    });
  });

  it('an unknown function is a 404 ResourceNotFoundException', async () => {
    await assert.rejects(invoke('mpflow-test-no-such-function', {}), (error: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(error.name, 'ResourceNotFoundException');
      assert.equal(error.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  it('invocations run in processes of their own, in parallel; past the concurrency limit they are throttled with 429', async () => {
    const [a, b] = await Promise.all([invoke(name, { action: 'spin', ms: 600 }), invoke(name, { action: 'spin', ms: 600 })]);
    assert.notEqual(a.payload.pid, b.payload.pid);
    assert.ok(a.payload.started < b.payload.ended && b.payload.started < a.payload.ended, 'the two CPU-bound invocations overlapped');
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    try {
      const outcomes = await Promise.allSettled([invoke(name, { action: 'sleep', ms: 500 }), sleep(100).then(() => invoke(name, { action: 'echo', value: 1 }))]);
      assert.equal(outcomes[0].status, 'fulfilled');
      assert.equal(outcomes[1].status, 'rejected');
      const throttled = (outcomes[1] as PromiseRejectedResult).reason as Error & { $metadata: { httpStatusCode: number }; Reason: string };
      assert.deepEqual([throttled.name, throttled.$metadata.httpStatusCode, throttled.Reason], ['TooManyRequestsException', 429, 'ReservedFunctionConcurrentInvocationLimitExceeded']);
    } finally {
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 100 }));
    }
  });

  it("an invocation longer than the function's timeout is stopped and reported as timed out", async () => {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 1 }));
    try {
      const { functionError, payload } = await invoke(name, { action: 'sleep', ms: 3000 });
      assert.equal(functionError, 'Unhandled');
      assert.match(payload.errorMessage, /Task timed out after 1\.00 seconds/);
    } finally {
      await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5 }));
    }
  });

  it('faults are injected on request: errors, throttles and timeouts', async () => {
    await setFaults({ errors: 1 });
    assert.equal((await invoke(name, { action: 'echo', value: 1 })).payload.errorType, 'InjectedFault');
    await setFaults({ throttles: 1 });
    await assert.rejects(invoke(name, { action: 'echo', value: 1 }), { name: 'TooManyRequestsException' });
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 1 }));
    await setFaults({ timeouts: 1 });
    assert.match((await invoke(name, { action: 'echo', value: 1 })).payload.errorMessage, /Task timed out/);
    await setFaults({});
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5 }));
    assert.equal((await invoke(name, { action: 'echo', value: 4 })).payload.echo, 4);
  });
});

describe('mpflow deploy lambda', { timeout: 120_000 }, () => {
  it('creates the function, publishes a version, updates it idempotently, and undeploy deletes it', async () => {
    const program = resolveProgram('examples/pi');
    const config = { ...lambdaConfig(settings, program.name), endpoint: devLambdaEndpoint, functionName: `mpflow-test-deploy-${process.pid}`, timeoutSeconds: 30, memoryMb: 512 };
    const first = await deployLambda(program, config);
    assert.equal(first.version, '1');
    const again = await deployLambda(program, config);
    assert.deepEqual([again.version, again.codeSha256], ['1', first.codeSha256], 'an unchanged program publishes no new version');
    const changed = await deployLambda(program, { ...config, memoryMb: 1024 });
    assert.equal(changed.version, '2');
    const { Configuration } = await client.send(new GetFunctionCommand({ FunctionName: config.functionName }));
    assert.deepEqual([Configuration?.MemorySize, Configuration?.Timeout, Configuration?.Handler, Configuration?.State], [1024, 30, 'index.handler', 'Active']);
    assert.equal(await undeployLambda(config), true);
    assert.equal(await undeployLambda(config), false);
  });
});

/** Deploys `programDir` to the dev endpoint as a function of this test run; returns its backend configuration. */
const deployed = (programDir: string, overrides: Partial<LambdaConfig> = {}) => deployToDevLambda(programDir, overrides, settings);

for (const engine of ENGINES) {
  describe(`programs on the Lambda backend, ${engine} engine`, { timeout: 300_000 }, () => {
    let semantics: Harness;
    let shared: Harness;
    before(async () => {
      semantics = await harness(engine, 'test/programs/semantics', {}, { kind: 'lambda', config: await deployed('test/programs/semantics') });
      shared = await harness(engine, 'test/programs/shared', {}, { kind: 'lambda', config: await deployed('test/programs/shared') });
    });
    after(async () => {
      await setFaults({});
      await semantics.close();
      await shared.close();
    });

    it('Pool map, starmap, apply and callbacks give the same results as on the local backend', async () => {
      assert.deepEqual(await semantics.run('mapSquares', 50), Array.from({ length: 50 }, (_, i) => i * i));
      assert.deepEqual(await semantics.run('starmapAdd', [[1, 2], [3, 4], [5, 6]]), [3, 7, 11]);
      assert.deepEqual(await semantics.run('applyAndCallbacks'), { direct: 5, value: 9, called: [9, 'no'], ready: true, successful: false });
      assert.deepEqual(await semantics.run('imapStreamsInOrder'), ['first', 'second', 'third']);
    });

    it('a Process runs its target on Lambda, and a Queue carries its items back', async () => {
      assert.deepEqual(await semantics.run('processLifecycle'), {
        name: 'Process-1',
        before: { alive: false, exitCode: null, pid: null },
        running: { alive: true, children: 1 },
        after: { alive: false, exitCode: 0, children: 0 },
        hasPid: true,
      });
      assert.deepEqual(await semantics.run('queueFromProcess'), [1, 2, 3]);
    });

    it('arguments and results over the 6 MB Lambda takes travel by claim check', async () => {
      const big = new Uint8Array(7 * 1024 * 1024).fill(7);
      const echoed = await semantics.run<Uint8Array>('echoThroughTask', big);
      assert.equal(echoed.length, big.length);
      assert.ok(echoed.every((byte) => byte === 7));
    });

    it("a task's error reaches the caller with its class and its own stack", async () => {
      await assert.rejects(semantics.run('taskErrorPropagates'), (error: Error) => {
        assert.ok(error instanceof RangeError, `expected a RangeError, got ${error.name}`);
        assert.equal(error.message, 'bad input');
        assert.match(error.stack!, /semantics\/tasks\.ts/);
        return true;
      });
    });

    it('locks, semaphores, barriers, shared values and manager dicts work across invocations', async () => {
      assert.equal(await shared.run('lockedReadModifyWrite', 4, 25), 100);
      assert.equal(await shared.run('semaphoreBoundsConcurrency'), 2);
      assert.deepEqual((await shared.run<{ counter: number }>('atomicValueIncrements', 8, 100)).counter, 800);
      assert.deepEqual(await shared.run('managerListAppendsUnderConcurrency', 4, 100), Array.from({ length: 400 }, (_, i) => i));
    });

    it('Pipes, Events, Conditions, Barriers, shared Arrays, JoinableQueues and manager dicts work across invocations', async () => {
      assert.deepEqual(await shared.run('pipePingPong', 20), Array.from({ length: 20 }, (_, i) => i));
      assert.deepEqual(await shared.run('eventWakesEveryWaiter'), { timedOut: false, names: ['p0', 'p1', 'p2'], isSet: true, afterClear: false });
      assert.deepEqual(await shared.run('conditionNotifyCounts'), { wokenByNotify2: 2, thirdWaited: 'Empty: the queue stayed empty for 500', wokeByNotifyAll: true });
      assert.deepEqual(await shared.run('barrierSplitBetweenMainAndTasks'), [0, 1, 2]);
      assert.deepEqual((await shared.run<{ doubled: number[] }>('arraySlicesAndElements')).doubled, [3, 5, 7, 9]);
      assert.deepEqual(await shared.run('joinableQueueJoins'), { doneWhenJoined: 5, tooMany: 'ValueError: taskDone() called too many times' });
      assert.deepEqual((await shared.run<{ items: unknown }>('managerDict')).items, [['b', 2], ['c', 3], ['d', 4], ['e', 5]]);
    });

    for (const dispatch of ['activity', 'queue'] as const) {
      it(`with 5 % of invocations failing, 2 % timing out and 2 % throttled, a 64-chunk map still completes correctly (${dispatch} dispatch)`, async (t) => {
        const config = await deployed('test/programs/semantics', { functionName: 'mpflow-test-semantics-flaky', timeoutSeconds: 3 });
        const flaky = await harness(engine, 'test/programs/semantics', { dispatch }, { kind: 'lambda', config });
        try {
          const before = await stats();
          await setFaults({ errors: 0.05, timeouts: 0.02, throttles: 0.02 });
          assert.equal(await flaky.run('sumOfSquares', 16, 64), (63 * 64 * 127) / 6);
          const after = await stats();
          const faults = after.injected + after.throttled - before.injected - before.throttled;
          t.diagnostic(`${after.invocations - before.invocations} invocations, ${faults} of them failed, timed out or throttled on purpose`);
          // An invocation per chunk: with 64 of them, some fault is all but certain (a few pool workers may see none).
          if (dispatch === 'activity') assert.ok(faults > 0, 'faults were injected during the map');
        } finally {
          await setFaults({});
          await flaky.close();
        }
      });
    }

    it("in queue dispatch, pool workers are asynchronous invocations that leave before the function's timeout and are replaced", async () => {
      // A 6 s timeout: each pool worker leaves after about 3 s, before this 4.5 s map is done.
      const config = await deployed('test/programs/semantics', { functionName: 'mpflow-test-semantics-short', timeoutSeconds: 6 });
      const queued = await harness(engine, 'test/programs/semantics', { dispatch: 'queue' }, { kind: 'lambda', config });
      try {
        const before = (await stats()).invocations;
        assert.equal(await queued.run('maxInFlight', 2, 30, 300), 2, 'at most two chunks at a time, as Pool(2) promises');
        const invocations = (await stats()).invocations - before;
        assert.ok(invocations >= 4 && invocations < 30, `${invocations} invocations: the two pool workers and their replacements, not one per chunk`);
      } finally {
        await queued.close();
      }
    });

    it('a function that always fails fails the map after bounded attempts, naming the function and the request id (activity dispatch)', async () => {
      const direct = await harness(engine, 'test/programs/semantics', { dispatch: 'activity' }, { kind: 'lambda', config: await deployed('test/programs/semantics') });
      await setFaults({ errors: 1 });
      try {
        await assert.rejects(direct.run('mapSquares', 2), (error: Error) => {
          assert.ok(error instanceof ProcessError, `expected a ProcessError, got ${error.name}: ${error.message}`);
          assert.match(error.message, /Lambda function mpflow-test-semantics failed \(request [0-9a-f-]{36}\)/);
          assert.match(error.message, /InjectedFault/);
          return true;
        });
      } finally {
        await setFaults({});
        await direct.close();
      }
    });
  });
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

describe('the cost report', { timeout: 180_000 }, () => {
  it("mpflow run prints invocations, billed GB-s, the tasks' Redis commands and a price; mpflow status and the memo carry the same", async () => {
    await deployed('test/programs/shared');
    const env = { ...process.env, MPFLOW_LAMBDA_ENDPOINT: devLambdaEndpoint, MPFLOW_LAMBDA_FUNCTION: 'mpflow-test-shared', MPFLOW_LAMBDA_MEMORY_MB: '512', MPFLOW_LAMBDA_PRICE_PER_REQUEST: '0.001' };
    const mpflow = async (...args: string[]) => {
      const { stdout, stderr } = await run(process.execPath, ['cli/bin.js', ...args], { env, timeout: 120_000 });
      return { json: JSON.parse(stdout.trim().split('\n').at(-1)!), stderr };
    };
    for (const engine of ENGINES) {
      // Four processes, each taking a lock and updating a shared value 25 times.
      const ran = await mpflow('run', 'test/programs/shared', '--engine', engine, '--backend', 'lambda', '--entry', 'lockedReadModifyWrite', '--json', '--', '4', '25');
      assert.equal(ran.json.result, 100);
      const cost = ran.json.cost;
      assert.equal(cost.invocations, 4, `${engine}: one invocation per process`);
      assert.ok(cost.billedGbSeconds > 0, JSON.stringify(cost));
      assert.ok(cost.redisCommands >= 4 * 25 * 3, `${cost.redisCommands} Redis commands: each update takes the lock, reads, writes and releases`);
      assert.ok(Math.abs(cost.estimatedUsd - (4 * 0.001 + cost.billedGbSeconds * cost.pricing.perGbSecond)) < 1e-9);
      if (engine === 'temporal') {
        const status = await mpflow('status', ran.json.workflowId, '--json');
        assert.deepEqual(status.json.cost, cost);
      }
    }
  });
});
