/**
 * Activity dispatch: each chunk launched on its own (under the durable engine an activity,
 * with its own retries and its own line in the Web UI), at most `processes` at once; a map too
 * large for one workflow's history goes in batches that each hold a share of the slots.
 */
import { transport, type ChunkCall, type Launch, type Outcome } from '../transport.js';
import { loads } from '../serialization.js';
import type { Dispatcher, PoolHost } from './dispatcher.js';
import type { Job } from './results.js';
import { SlotGenerations } from './slots.js';

/** A unit of dispatch: one chunk on one slot, or a batch of chunks that holds `width` slots. */
interface Unit {
  job: Job;
  first: number;
  calls: ChunkCall[];
  width: number;
}

export class ActivityDispatcher implements Dispatcher {
  readonly #pool: PoolHost;
  readonly #pending: Unit[] = [];
  #pendingHead = 0;
  #busySlots = 0;
  readonly #freeSlots: number[];
  readonly #slots: SlotGenerations;
  readonly #inflight = new Set<Launch>();

  constructor(pool: PoolHost) {
    this.#pool = pool;
    this.#freeSlots = Array.from({ length: pool.processes }, (_, i) => pool.processes - 1 - i);
    this.#slots = new SlotGenerations(pool.slots);
  }

  get busy(): boolean {
    return this.#inflight.size > 0;
  }

  /** Groups the chunks of a map too large for one launch each into batches. */
  submit(job: Job, calls: ChunkCall[]): void {
    const { maxChunksPerMap } = transport();
    if (calls.length <= maxChunksPerMap) {
      calls.forEach((call, first) => this.#pending.push({ job, first, calls: [call], width: 1 }));
    } else {
      const { processes } = this.#pool;
      const batches = Math.ceil(calls.length / maxChunksPerMap);
      const width = Math.max(1, Math.floor(processes / Math.min(batches, processes)));
      for (let first = 0; first < calls.length; first += maxChunksPerMap) {
        this.#pending.push({ job, first, calls: calls.slice(first, first + maxChunksPerMap), width });
      }
    }
    this.#dispatch();
  }

  withdraw(job: Job): void {
    const waiting = this.#pending.slice(this.#pendingHead).filter((unit) => unit.job !== job);
    this.#pending.length = this.#pendingHead = 0;
    this.#pending.push(...waiting);
  }

  /** Each launch ends with its chunk: no worker outlives the work to be let go. */
  close(): void {}

  /** A launched chunk is its own worker: none outlives the work. */
  async left(): Promise<void> {}

  terminate(): void {
    this.#pendingHead = this.#pending.length = 0;
    for (const launch of this.#inflight) launch.cancel();
  }

  #dispatch(): void {
    const pending = this.#pending;
    while (this.#pendingHead < pending.length && this.#busySlots + pending[this.#pendingHead].width <= this.#pool.processes) {
      this.#start(pending[this.#pendingHead++]);
    }
    if (this.#pendingHead === pending.length) this.#pendingHead = pending.length = 0;
  }

  #start(unit: Unit): void {
    unit.job.started = true;
    const slots = this.#freeSlots.splice(-unit.width, unit.width);
    this.#busySlots += unit.width;
    const calls = unit.calls.map((call, i) => ({ ...call, slot: this.#slots.assign(slots[i % slots.length]) }));
    const runtime = transport();
    const launch = calls.length === 1 ? runtime.launch(calls[0]) : runtime.launchBatch(calls, unit.width);
    this.#inflight.add(launch);
    const { job, first } = unit;
    launch.result
      .then(
        (encoded) => {
          const outcomes: Uint8Array[] = calls.length === 1 ? [encoded] : loads<Uint8Array[]>(encoded);
          this.#pool.settle(job, () => outcomes.forEach((outcome, i) => job.setChunk(first + i, loads<Outcome>(outcome))));
        },
        (error: Error) => this.#pool.settle(job, () => calls.forEach((_, i) => job.setChunk(first + i, [false, error]))),
      )
      .finally(() => {
        this.#inflight.delete(launch);
        this.#freeSlots.push(...slots);
        this.#busySlots -= unit.width;
        // After a terminate nothing is pending, so this starts nothing.
        this.#dispatch();
        this.#pool.workEnded();
      });
  }
}
