import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

const SLOW_MS = 4_000;
const EIGHT = Array.from({ length: 8 }, (_, i) => i);

onEveryEngine('straggler copies in queue dispatch', 'test/programs/semantics', (h) => {
  it("copies a chunk that runs far longer than its map's median: the copy's result wins and the slow run is stopped", async () => {
    const { results, tookMs, slowRunsFinished } = await h().run<{ results: number[]; tookMs: number; slowRunsFinished: number[] }>('straggler', SLOW_MS, true);
    assert.deepEqual(results, EIGHT);
    assert.ok(tookMs < SLOW_MS / 2, `the map should finish near its median chunk, took ${tookMs} ms`);
    assert.deepEqual(slowRunsFinished, [], 'the slow run should have been stopped once its copy won');
  });

  it('speculative: false runs every chunk once, waiting for the straggler', async () => {
    const { results, tookMs, slowRunsFinished } = await h().run<{ results: number[]; tookMs: number; slowRunsFinished: number[] }>('straggler', SLOW_MS, false);
    assert.deepEqual(results, EIGHT);
    assert.ok(tookMs >= SLOW_MS, `the map waits for its slowest chunk, took ${tookMs} ms`);
    assert.equal(slowRunsFinished.length, 1, `the one chunk on the slow slot ran to its end once, got ${slowRunsFinished}`);
  });
});
