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
  it('ping-pongs between the main program and a task, and between two tasks: every ping gets its pong, each timed', async () => {
    for (const entry of ['mainToTask', 'taskToTask']) {
      const roundTrips = await h().run<number[]>(entry, 20);
      assert.equal(roundTrips.length, 20, entry);
      assert.ok(roundTrips.every((ms) => Number.isFinite(ms) && ms > 0), `${entry}: ${roundTrips}`);
    }
  });

  it('moves every byte of a flood of messages from one task to another, timed by the receiver', async () => {
    const [ms, bytes] = await h().run<[number, number]>('throughput', 20, 65_536);
    assert.equal(bytes, 20 * 65_536);
    assert.ok(Number.isFinite(ms) && ms > 0, `${ms} ms`);
  });
});
