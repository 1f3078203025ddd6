import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('Value and Array', 'test/programs/shared', (h) => {
  it('tasks rewrite slices of a shared array in place; elements, slices and errors behave as in Python', async () => {
    assert.deepEqual(await h().run('arraySlicesAndElements'), {
      doubled: [3, 5, 7, 9],
      last: 9,
      middle: [5, 7],
      outOfRange: 'IndexError: index 4 is out of range for an array of length 4',
      bigIncrement: 2n ** 60n + 5n,
      bigFirst: 1n,
      wraps: 0,
      length: 4,
      badTypecode: "ValueError: typecode must be one of b B h H i I l L q Q f d, got 'x'",
      tooLong: 'IndexError: 2 values from index 3 do not fit an array of length 4',
    });
  });

  it('increment is atomic on the server: 8 processes × 100 increments lose none', async () => {
    assert.deepEqual(await h().run('atomicValueIncrements', 8, 100), {
      counter: 800,
      float: 0.75,
      rawLock: 'ValueError: a RawArray or RawValue has no lock',
      hasLock: true,
    });
  });
});
