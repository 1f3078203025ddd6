/**
 * `mpflow plot`: how each chunk run is classed on the timeline (done, retried after its worker
 * died, a straggler copy and the run it outran, failed, still running), how many chunks wait in
 * the queue over time, and the PNG a user gets for a real run with straggler copies.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { timelineOf } from '../cli/plot.js';
import { mpflowCommand } from '../testing/harness.js';
import type { ChunkRunEvent } from '../state/store.js';

const run = (chunk: string, worker: string, slot: number, start: number, end?: number, ok?: boolean, queuedAt?: number): ChunkRunEvent[] => {
  const started = { chunk, worker, slot: `slot ${slot}`, start, queuedAt };
  return end === undefined ? [started] : [started, { ...started, end, ok }];
};

describe('a run’s timeline', () => {
  it('classes each chunk run by how it went, and counts the chunks waiting in the queue', () => {
    const { bars, waiting } = timelineOf([
      ...run('a', 'w1', 1, 1_000, 2_000, true, 0),
      ...run('b', 'w1', 2, 1_000, undefined, undefined, 0), // its worker died
      ...run('b', 'w2', 1, 3_000, 4_000, true, 0), // and it ran again
      ...run('c', 'w1', 3, 2_000, 9_000, false, 500), // a straggler, stopped when its copy won
      ...run('c', 'w2', 2, 5_000, 6_000, true, 500),
      ...run('d', 'w2', 3, 6_000, 7_000, false, 500), // the task threw
      ...run('e', 'w2', 4, 8_000, undefined, undefined, 500), // still running
    ]);
    assert.deepEqual(
      bars.map(({ chunk, lane, from, to, state }) => [chunk, lane, from, to, state]),
      [
        ['a', 'w1 · slot 1', 1, 2, 'done'],
        ['b', 'w1 · slot 2', 1, 9, 'retried'],
        ['b', 'w2 · slot 1', 3, 4, 'done'],
        ['c', 'w1 · slot 3', 2, 9, 'outrun by its copy'],
        ['c', 'w2 · slot 2', 5, 6, 'straggler copy'],
        ['d', 'w2 · slot 3', 6, 7, 'failed'],
        ['e', 'w2 · slot 4', 8, 9, 'running'],
      ],
    );
    assert.deepEqual(waiting, [
      { at: 0, chunks: 2 },
      { at: 0.5, chunks: 5 },
      { at: 1, chunks: 3 },
      { at: 2, chunks: 2 },
      { at: 6, chunks: 1 },
      { at: 8, chunks: 0 },
    ]);
  });

  it('is drawn by `mpflow plot` as a PNG for a run with a slow slot and straggler copies', { timeout: 120_000 }, async () => {
    const workflowId = `plot-${randomUUID().slice(0, 8)}`;
    const ran = await mpflowCommand(['run', 'bench/stragglers', '--workflow-id', workflowId, '--json', '--', '16', '200', '20', '4', 'true']);
    assert.equal(ran.code, 0, ran.stderr);
    const file = join(mkdtempSync(join(tmpdir(), 'mpflow-plot-')), 'run.png');
    const plotted = await mpflowCommand(['plot', workflowId, '--out', file, '--json']);
    assert.equal(plotted.code, 0, plotted.stderr);
    const runs = plotted.json.runs as Record<string, number>;
    assert.ok(runs['straggler copy'] >= 1 && runs.done >= 16, JSON.stringify(runs));
    assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  });

  it('says so when the run has no timeline', async () => {
    const plotted = await mpflowCommand(['plot', `never-ran-${randomUUID().slice(0, 8)}`]);
    assert.equal(plotted.code, 1);
    assert.match(plotted.stderr, /no chunk of never-ran-\w+ has run: no timeline to plot/);
  });
});
