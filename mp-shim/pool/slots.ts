/**
 * A pool's worker slots and `maxTasksPerChild` (CPython: a worker exits after that many tasks
 * and the pool starts a fresh one): a slot's worker retires after that many tasks, and the next
 * generation runs the initializer again. Kept by activity dispatch in the pool itself and by
 * each pool worker in queue dispatch.
 */
import type { WorkerSlot } from '../transport.js';

export interface SlotSpec {
  poolId: string;
  initializer?: string;
  initargs?: Uint8Array;
  maxTasksPerChild?: number;
}

export class SlotGenerations {
  readonly #tasks = new Map<number, number>();
  readonly #generation = new Map<number, number>();

  constructor(private readonly spec: SlotSpec) {}

  /** Counts one more task on slot `index` and returns the slot as that task runs on it. */
  assign(index: number): WorkerSlot {
    const { poolId, initializer, initargs, maxTasksPerChild } = this.spec;
    const done = this.#tasks.get(index) ?? 0;
    if (maxTasksPerChild !== undefined && done === maxTasksPerChild) {
      this.#tasks.set(index, 1);
      this.#generation.set(index, (this.#generation.get(index) ?? 0) + 1);
    } else {
      this.#tasks.set(index, done + 1);
    }
    return { poolId, index, generation: this.#generation.get(index) ?? 0, initializer, initargs };
  }
}
