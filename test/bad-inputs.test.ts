/**
 * What a new user meets first: bad input and misconfiguration. Each case ends with a message
 * that names the cause, within its bound, and is not retried when waiting cannot fix it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { devLambdaEndpoint } from '../infra/dev-stack.js';
import { mpflowCommand, onEveryEngine, timed, type CommandRun } from '../testing/harness.js';
import { readConfig } from '../workers/config.js';

onEveryEngine("a task's own doing", 'test/programs/semantics', (h) => {
  it('process.exit(3) in a task ends that task with SystemExit, not retried; a Process gets exitCode 3 (0 for process.exit(0))', async () => {
    const [seen, ms] = await timed(() => h().run('processExitInTasks'));
    assert.deepEqual(seen, {
      inPool: { error: 'SystemExit: the task called process.exit(3)', code: 3, isSystemExit: true },
      attempts: 3,
      exitCodes: [3, 0],
    });
    assert.ok(ms < 30_000, `took ${ms} ms`);
  });

  it('rejects bad arguments to a pool with Python’s errors and wording, naming the argument', async () => {
    assert.deepEqual(await h().run('poolArgumentErrors'), {
      processes: 'ValueError: Number of processes must be at least 1 (an integer), got 0',
      chunksize: 'ValueError: Chunksize must be 1+ (an integer), not 0',
      notATask: 'TypeError: map(fn, …): fn must be a task reference from proxyTasks<typeof tasks>(), got the function (anonymous) (functions cannot be sent to another process; name it through proxyTasks)',
      notIterable: "TypeError: map(fn, iterable): iterable: 'number' object is not iterable",
      itemNotIterable: "TypeError: starmap(fn, iterable): an item of iterable: 'number' object is not iterable",
    });
  });

  it('an error thrown from a task’s timer and a rejection nobody awaits fail their own tasks, not the tasks beside them', async () => {
    assert.deepEqual(await h().run('uncaughtErrorsFailTheirTask'), ['RangeError: from a timer', 'RangeError: unawaited', 300, 300]);
  });
});

/** A program directory of a name of its own, outside the repo, with these files (tasks.ts defaults to one task). */
function programWith(files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'mpflow-bad-')), `prog-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries({ 'tasks.ts': 'export function double(x: number): number {\n  return 2 * x;\n}\n', ...files })) writeFileSync(join(dir, name), text);
  return dir;
}

/** The environment of a machine with no AWS credentials and no dev-stack endpoints configured. */
const NO_AWS = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, MPFLOW_S3_ENDPOINT: undefined, MPFLOW_LAMBDA_ENDPOINT: undefined };
const TASK_QUEUE = { MPFLOW_TASK_QUEUE: `test-bad-inputs-${process.pid}` };
const mpflow = (args: string[], env: Record<string, string | undefined> = {}) => mpflowCommand(args, { ...TASK_QUEUE, ...env });

/** The one line the command printed on stderr, asserting it is one. */
function oneLine(run: CommandRun): string {
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  return lines[0];
}

describe('main.ts that cannot be workflow code', { timeout: 120_000 }, () => {
  it('a syntax error is one line: file:line:column and the compiler’s message', async () => {
    const dir = programWith({ 'main.ts': "import { Pool } from 'mpflow';\nexport async function main() {\n  const x = ;\n}\n" });
    const run = await mpflow(['run', dir]);
    assert.equal(run.code, 1);
    assert.equal(oneLine(run), `mpflow: ${join(dir, 'main.ts')}:3:13 Unexpected ";"`);
  });

  it('an import of node:fs names the import, why the main program cannot have it, and what to use instead', async () => {
    const dir = programWith({ 'main.ts': "import { readFileSync } from 'node:fs';\nexport async function main() {\n  return readFileSync('x', 'utf8');\n}\n" });
    const run = await mpflow(['run', dir]);
    assert.equal(run.code, 1);
    assert.equal(
      oneLine(run),
      `mpflow: ${join(dir, 'main.ts')}:1:30 imports node:fs, which the main program cannot use: it runs as deterministic workflow code, replayed after a crash, without Node's modules; use mpflow/fs (import { fs } from 'mpflow') for files, or move the code that needs it into tasks.ts`,
    );
  });

  it('mpflow check type-checks main.ts and tasks.ts and bundles main.ts, running nothing', async () => {
    const wrongType = programWith({ 'main.ts': 'export async function main(n: number) {\n  const text: string = n;\n  return text;\n}\n' });
    const checked = await mpflow(['check', wrongType]);
    assert.equal(checked.code, 1);
    assert.equal(checked.stdout.trim(), `${join(wrongType, 'main.ts')}:2:9 error TS2322: Type 'number' is not assignable to type 'string'.`);
    const fine = await mpflow(['check', 'examples/pi', '--json']);
    assert.equal(fine.code, 0, fine.stderr);
    assert.deepEqual(fine.json, { program: join(process.cwd(), 'examples/pi'), typeChecked: true, bundled: true, problems: [] });
  });
});

describe('misconfiguration fails at once, with the fix in the message', { timeout: 120_000 }, () => {
  it('S3 storage with no credentials and no endpoint', async () => {
    const run = await mpflow(['run', 'examples/pi', '--storage', 's3://mpflow-nowhere/x', '--', '1000', '2'], NO_AWS);
    assert.equal(run.code, 1);
    assert.match(oneLine(run), /^mpflow: no AWS credentials found for S3 storage s3:\/\/mpflow-nowhere\/x: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; for the dev stack's server set MPFLOW_S3_ENDPOINT=http:\/\/127\.0\.0\.1:9399/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });

  it('the Lambda backend with no credentials and no endpoint', async () => {
    const run = await mpflow(['run', 'examples/pi', '--backend', 'lambda', '--', '1000', '2'], NO_AWS);
    assert.equal(run.code, 1);
    assert.match(oneLine(run), /^mpflow: no AWS credentials found for Lambda function mpflow-pi \(us-east-1\): .*MPFLOW_LAMBDA_ENDPOINT=http:\/\/127\.0\.0\.1:9398/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });

  it('the Lambda backend with no function deployed', async () => {
    const dir = programWith({ 'main.ts': "import { Pool, proxyTasks } from 'mpflow';\nimport type * as T from './tasks.js';\nconst t = proxyTasks<typeof T>();\nexport async function main() {\n  await using pool = new Pool(2);\n  return pool.map(t.double, [1, 2]);\n}\n" });
    const run = await mpflow(['run', dir, '--backend', 'lambda'], { MPFLOW_LAMBDA_ENDPOINT: devLambdaEndpoint(readConfig().dev) });
    assert.equal(run.code, 1);
    assert.match(oneLine(run), /^mpflow: Lambda function mpflow-prog-\w+ \(us-east-1 at http:\/\/127\.0\.0\.1:\d+\) does not exist \(ResourceNotFoundException: .*\): deploy it with `mpflow deploy lambda <program>`$/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });

  it('a Temporal namespace that does not exist', async () => {
    const run = await mpflow(['run', 'examples/pi', '--', '1000', '2'], { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'mpflow-no-such-namespace' });
    assert.equal(run.code, 1);
    assert.match(oneLine(run), /^mpflow: Temporal namespace 'mpflow-no-such-namespace' does not exist .*: create it \(temporal operator namespace create mpflow-no-such-namespace\) or set TEMPORAL_NAMESPACE$/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });

  it('Redis or Temporal unreachable', async () => {
    const redis = await mpflow(['run', 'examples/pi', '--engine', 'local'], { MPFLOW_REDIS_URL: 'redis://127.0.0.1:1' });
    assert.match(oneLine(redis), /^mpflow: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*MPFLOW_REDIS_URL/);
    const temporal = await mpflow(['run', 'examples/pi'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.match(oneLine(temporal), /^mpflow: cannot reach Temporal at 127\.0\.0\.1:1: .*TEMPORAL_ADDRESS/);
    assert.ok(redis.ms < 10_000 && temporal.ms < 10_000, `took ${redis.ms} and ${temporal.ms} ms`);
  });
});

describe('quiet by default', { timeout: 120_000 }, () => {
  it('a durable run prints its workflow and its progress on stderr, nothing of the SDK; --json prints one JSON line on stdout', async () => {
    const run = await mpflow(['run', 'examples/pi', '--json', '--', '200000', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    assert.equal(typeof run.json.result, 'number');
    const verbose = await mpflow(['run', 'examples/pi', '--verbose', '--', '200000', '2']);
    assert.equal(verbose.code, 0, verbose.stderr);
    const plain = await mpflow(['run', 'examples/pi', '--', '200000', '2']);
    const lines = plain.stderr.trim().split('\n');
    assert.match(lines[0], /^workflow pi-\w+ {2}http:/);
    assert.ok(lines.slice(1).every((line) => /^inCircle \(job 0\) \[#+\] 8\/8 chunks$/.test(line)), plain.stderr);
    assert.ok(verbose.stderr.split('\n').length > lines.length + 5, 'with --verbose, the SDK and Core speak too');
    const unlike = verbose.stderr.trim().split('\n').filter((line) => !/^(\d{4}-\d\d-\d\dT[\d:.]+Z \S+ (TRACE|DEBUG|INFO|WARN|ERROR) |workflow |inCircle )/.test(line));
    assert.deepEqual(unlike, [], 'each log entry is one line: time, run, level, message');
  });
});
