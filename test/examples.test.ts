import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('examples/sort', 'examples/sort', (h) => {
  it('sorts the same numbers three ways: in place on a shared Array, through local copies, over Pipes', async () => {
    const ok = { sorted: true, sameNumbers: true };
    assert.deepEqual(await h().run('main', 50_000, 4), { inPlace: ok, localCopy: ok, pipes: ok });
  });
});

onEveryEngine('examples/pingpong', 'examples/pingpong', (h) => {
  it('ping-pongs between the main program and a task, and between two tasks', async () => {
    const { mainToTaskMedianMs, taskToTaskMedianMs } = await h().run<Record<string, number>>('main', 20);
    assert.ok(mainToTaskMedianMs > 0 && taskToTaskMedianMs > 0);
  });

  it('moves every byte of a flood of messages from one task to another', async () => {
    const [ms, bytes] = await h().run<[number, number]>('throughput', 20, 65_536);
    assert.equal(bytes, 20 * 65_536);
    assert.ok(ms >= 0);
  });
});
