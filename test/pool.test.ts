import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngineAndDispatch, timed } from '../testing/harness.js';

onEveryEngineAndDispatch('Pool', 'test/programs/semantics', (h) => {

  it('map returns every result in input order', async () => {
    assert.deepEqual(await h().run('mapSquares', 50), Array.from({ length: 50 }, (_, i) => i * i));
  });

  it('map of nothing returns an empty list', async () => {
    assert.deepEqual(await h().run('mapSquares', 0), []);
  });

  it("chunksize defaults to Python's rule: ceil(items / (4 * processes))", async () => {
    assert.equal(await h().run('defaultChunksize', 100, 4), 7);
    assert.equal(await h().run('defaultChunksize', 3, 4), 1);
  });

  it('starmap spreads each item as the argument list', async () => {
    assert.deepEqual(await h().run('starmapAdd', [[1, 2], [3, 4], [5, 6]]), [3, 7, 11]);
  });

  it('apply and applyAsync return values and call callback or errorCallback', async () => {
    assert.deepEqual(await h().run('applyAndCallbacks'), { direct: 5, value: 9, called: [9, 'no'], ready: true, successful: false });
  });

  it('imap yields each result as soon as it and all before it are done', async () => {
    assert.deepEqual(await h().run('imapStreamsInOrder'), ['first', 'second', 'third']);
  });

  it('imapUnordered yields finished results while a slow chunk is still running', async () => {
    const seen = await h().run<string[]>('imapUnorderedNeverWaitsForSlowChunk');
    assert.deepEqual(seen.slice(0, 2).sort(), ['fast1', 'fast2']);
    assert.equal(seen[2], 'slow');
  });

  it('runs at most `processes` tasks at once, and that many in parallel', async () => {
    assert.equal(await h().run('maxInFlight', 3, 9, 400), 3);
  });

  it('runs the initializer before the tasks of each worker slot', async () => {
    const { values, initializations } = await h().run<{ values: unknown[]; initializations: number }>('initializerRuns');
    assert.deepEqual(values, Array(6).fill('ready'));
    assert.ok(initializations >= 1 && initializations <= 2, `one slot initialized on at most the two threads that served it, got ${initializations}`);
  });

  it('maxTasksPerChild retires a worker slot and initializes a fresh one', async () => {
    const { values, initializations } = await h().run<{ values: unknown[]; initializations: number }>('initializerRuns', 2);
    assert.deepEqual(values, Array(6).fill('ready'));
    assert.ok(initializations >= 3, `6 tasks at 2 per worker need 3 workers, got ${initializations} initializations`);
  });

  it('close refuses new work and join waits for the work already submitted', async () => {
    assert.deepEqual(await h().run('closeThenJoin'), { ready: [true, true, true], refused: 'ValueError: Pool not running' });
  });

  it('join on a running pool is a ValueError', async () => {
    assert.match((await h().run<string>('joinWhileRunning'))!, /^ValueError: Pool is still running/);
  });

  it('terminate fails outstanding results at once instead of waiting for them', async () => {
    const [error, ms] = await timed(() => h().run<string>('terminateCancelsRunningWork'));
    assert.match(error!, /^ProcessError: the pool was terminated/);
    assert.ok(ms < 30_000, `a 60 s task was waited for (${ms} ms)`);
  });

  it('AsyncResult.get(timeout) throws TimeoutError, wait(timeout) does not, successful() needs a ready result', async () => {
    assert.deepEqual(await h().run('asyncResultTimeouts'), {
      getError: 'TimeoutError: result 0 was not ready within 100',
      readyAfterWait: false,
      successfulError: 'ValueError: result 0 is not ready',
      value: 4000,
      successful: true,
    });
  });

  it('a per-call timeout fails the call with TimeoutError and stops the task', async () => {
    const { error, finishedLater } = await h().run<{ error: string; finishedLater: number }>('taskTimeoutStopsTheTask');
    assert.match(error, /^TimeoutError: napThenPut .* ran longer than 300 ms and was stopped/);
    assert.equal(finishedLater, 0, 'the task went on running after its timeout');
  });

  it('leaving an `await using` block closes the pool after its work is done', async () => {
    assert.equal(await h().run('disposeClosesAndJoins'), 'ValueError: Pool not running');
  });
});
