import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../cli/args.js';
import { freshStorage, mpflowCommand } from '../testing/harness.js';

/** The runs of this file only, whatever else serves the same programs on this Temporal. */
const TASK_QUEUE = `test-cli-${process.pid}`;
const mpflow = (...args: string[]) => mpflowCommand(args, { MPFLOW_TASK_QUEUE: TASK_QUEUE });

describe('the mpflow command', { timeout: 240_000 }, () => {
  it('runs the same program on both engines with the same result', async () => {
    const [durable, local] = await Promise.all([
      mpflow('run', 'examples/pi', '--json', '--', '400000', '2'),
      mpflow('run', 'examples/pi', '--engine', 'local', '--json', '--', '400000', '2'),
    ]);
    assert.equal(durable.code, 0, durable.stderr);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(typeof durable.json.result, 'number');
    assert.ok(Math.abs((durable.json.result as number) - Math.PI) < 0.02);
    assert.equal(durable.json.result, local.json.result);
    assert.match(durable.json.workflowId as string, /^pi-/);
  });

  it('--workflow-id names the run, and status and result find it by that id', async () => {
    const workflowId = `pi-cli-${randomUUID().slice(0, 8)}`;
    const ran = await mpflow('run', 'examples/pi', '--workflow-id', workflowId, '--json', '--', '100000', '2');
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.json.workflowId, workflowId);
    const status = await mpflow('status', workflowId, '--json');
    assert.equal(status.json.status, 'COMPLETED');
    assert.match(status.json.webUi as string, new RegExp(`/workflows/${workflowId}$`));
    const result = await mpflow('result', workflowId, '--json');
    assert.deepEqual(result.json, { workflowId, result: ran.json.result });
  });

  it('list shows the runs of a program, newest first, with status, duration and progress, and filters them by status', async () => {
    const workflowId = `pi-list-${randomUUID().slice(0, 8)}`;
    const ran = await mpflow('run', 'examples/pi', '--workflow-id', workflowId, '--json', '--', '100000', '2');
    assert.equal(ran.code, 0, ran.stderr);
    type Listed = { workflowId: string; status: string; durationMs: number; progress?: { chunks: number; done: number; failed: number } };
    const runsOf = async (...filters: string[]) => {
      const listed = await mpflow('list', 'examples/pi', ...filters, '--json');
      assert.equal(listed.code, 0, listed.stderr);
      return listed.json.runs as Listed[];
    };
    // Temporal's visibility store records a closed run shortly after it closes.
    let runs = await runsOf();
    for (let tries = 0; runs[0]?.workflowId !== workflowId && tries < 20; tries++) runs = await runsOf();
    const [newest] = runs;
    assert.equal(newest.workflowId, workflowId);
    assert.equal(newest.status, 'COMPLETED');
    assert.ok(newest.durationMs > 0);
    assert.ok(newest.progress && newest.progress.chunks > 0 && newest.progress.done === newest.progress.chunks, JSON.stringify(newest.progress));
    assert.ok((await runsOf('--status', 'completed')).some((run) => run.workflowId === workflowId));
    assert.ok(!(await runsOf('--status', 'running')).some((run) => run.workflowId === workflowId));
    const wrong = await mpflow('list', '--status', 'done');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--status takes running, completed, failed/);
  });

  it('--storage puts a run’s files on S3, on both engines alike; a storage it cannot use is a clear error', async () => {
    const storage = freshStorage('s3');
    const scenario = (engine: string) => ['run', 'test/programs/files', '--engine', engine, '--entry', 'scenario', '--storage', storage, '--json', '--', 'textAndBinary', 'main', `cli-${engine}`];
    const [durable, local] = await Promise.all([mpflow(...scenario('temporal')), mpflow(...scenario('local'))]);
    assert.equal(durable.code, 0, durable.stderr);
    assert.equal(local.code, 0, local.stderr);
    assert.equal((durable.json.result as { text: string }).text, 'héllo wörld ✓\nsecond line\n');
    assert.deepEqual(durable.json.result, local.json.result);
    const unusable = await mpflow('run', 'examples/pi', '--engine', 'local', '--storage', 'ftp://files.example');
    assert.equal(unusable.code, 1);
    assert.match(unusable.stderr, /storage must be a file:\/\/\/absolute\/path or s3:\/\/bucket\/prefix URL, got 'ftp:\/\/files.example'/);
  });

  it('an unknown command, option or program is a clear error with exit code 1', async () => {
    const unknownCommand = await mpflow('frobnicate');
    assert.equal(unknownCommand.code, 1);
    assert.match(unknownCommand.stderr, /mpflow: unknown command 'frobnicate'/);
    const missingProgram = await mpflow('run', 'no/such/program', '--engine', 'local');
    assert.equal(missingProgram.code, 1);
    assert.match(missingProgram.stderr, /program no\/such\/program is not a directory/);
    const badEngine = await mpflow('run', 'examples/pi', '--engine', 'spark');
    assert.match(badEngine.stderr, /--engine must be temporal or local, got 'spark'/);
  });

  it('parses arguments after -- as JSON where they parse, and as strings otherwise', () => {
    const line = parseCommandLine(['run', 'examples/pi', '--json', '--', '2e7', '[1,2]', '{"a":1}', 'hello', '--engine']);
    assert.deepEqual(line, { command: 'run', operands: ['examples/pi'], flags: { json: true }, args: [20_000_000, [1, 2], { a: 1 }, 'hello', '--engine'] });
  });
});
