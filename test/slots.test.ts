import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlotGenerations } from '../mp-shim/pool/slots.js';

describe('worker slots under maxTasksPerChild', () => {
  it('a slot keeps its worker (generation 0) when the pool sets no limit', () => {
    const slots = new SlotGenerations({ poolId: 'p' });
    assert.deepEqual(Array.from({ length: 5 }, () => slots.assign(0).generation), [0, 0, 0, 0, 0]);
  });

  it("a slot's worker retires after maxTasksPerChild tasks, and the next generation runs the initializer again", () => {
    const slots = new SlotGenerations({ poolId: 'p', initializer: 'setup', maxTasksPerChild: 2 });
    assert.deepEqual(Array.from({ length: 5 }, () => slots.assign(3).generation), [0, 0, 1, 1, 2]);
    assert.deepEqual(slots.assign(3), { poolId: 'p', index: 3, generation: 2, initializer: 'setup', initargs: undefined });
  });

  it('slots count their tasks apart', () => {
    const slots = new SlotGenerations({ poolId: 'p', maxTasksPerChild: 1 });
    assert.deepEqual([slots.assign(0), slots.assign(1), slots.assign(0), slots.assign(1)].map((slot) => slot.generation), [0, 0, 1, 1]);
  });
});
