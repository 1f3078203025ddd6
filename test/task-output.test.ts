/**
 * What tasks write to stdout and stderr reaches the driver's terminal, each line marked with
 * its task and chunk (as Lithops' stream-stdout), wherever the task ran: a thread here, a
 * worker elsewhere, a Lambda invocation; and `mpflow logs` prints a finished run's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { deployToDevLambda, harness, mpflowCommand, workerProcess, type Harness } from '../testing/harness.js';
import { readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { FIRST_LINE } from '../state/task-output.js';

/** What test/programs/semantics' chattyTasks makes its two chunks and its Process write, by chunk. */
const EXPECTED = Object.fromEntries(
  [
    ['chatty · map 0 · chunk 1/2', 'a'],
    ['chatty · map 0 · chunk 2/2', 'b'],
    ['chatty · Process-1', 'p'],
  ].map(([chunk, label]) => [chunk, [`${label}: hello`, `${label}: in two writes`, `${label}: a warning`, `${label}: no newline`]]),
);

/** The `[chunk] text` lines of `printed`, grouped by chunk in the order each chunk wrote them. */
function byChunk(printed: string): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [, chunk, text] of printed.matchAll(/^\[([^\]]+)\] (.*)$/gm)) (grouped[chunk] ??= []).push(text);
  return grouped;
}

describe('task output', { timeout: 180_000 }, () => {
  it('reaches `mpflow run`’s stderr on the local engine, marked with each chunk and process, partial lines and all', async () => {
    const ran = await mpflowCommand(['run', 'test/programs/semantics', '--entry', 'chattyTasks', '--engine', 'local']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(byChunk(ran.stderr), EXPECTED);
    assert.doesNotMatch(ran.stdout, /hello/, 'stdout carries only the result');
  });

  it('reaches `mpflow run`’s stderr on the durable engine, and `mpflow logs` prints it after the run', async () => {
    const workflowId = `chatty-${randomUUID().slice(0, 8)}`;
    const ran = await mpflowCommand(['run', 'test/programs/semantics', '--entry', 'chattyTasks', '--workflow-id', workflowId]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(byChunk(ran.stderr), EXPECTED);
    const logs = await mpflowCommand(['logs', workflowId]);
    assert.deepEqual(byChunk(logs.stdout), EXPECTED);
    const json = await mpflowCommand(['logs', workflowId, '--json']);
    assert.equal((json.json.lines as { stream: string }[]).filter(({ stream }) => stream === 'stderr').length, 3);
  });

  it('reaches `mpflow run` from a worker in another process, as from a worker on another machine', async (t) => {
    const endpoints = await resolveEndpoints(readConfig(), { temporal: true });
    const worker = workerProcess(resolveProgram('test/programs/semantics'), endpoints);
    t.after(() => worker.kill());
    const ran = await mpflowCommand(['run', 'test/programs/semantics', '--entry', 'chattyTasks', '--no-worker']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(byChunk(ran.stderr), EXPECTED);
  });

  describe('from tasks on Lambda', () => {
    let lambda: Harness;
    before(async () => (lambda = await harness('temporal', 'test/programs/semantics', {}, { kind: 'lambda', config: await deployToDevLambda('test/programs/semantics') })));
    after(() => lambda.close());

    it('is kept for the run, each line marked with its chunk', async () => {
      const handle = await lambda.start!('chattyTasks');
      assert.deepEqual(await handle.result(), ['a', 'b']);
      const { lines } = await lambda.store.output.read(handle.workflowId, FIRST_LINE);
      assert.deepEqual(byChunk(lines.map(({ chunk, text }) => `[${chunk}] ${text}`).join('\n')), EXPECTED);
    });
  });
});
