/** How a pool's chunks reach its slots: one interface, one implementation per dispatch mode. */
import type { ChunkCall } from '../transport.js';
import type { Job } from './results.js';
import type { SlotSpec } from './slots.js';

/** What a dispatcher needs of its pool. */
export interface PoolHost {
  readonly processes: number;
  readonly slots: SlotSpec;
  /** Applies `update` to `job`; the pool drops the job once it needs nothing more. */
  settle(job: Job, update: () => void): void;
  /** Fails every job still waiting (the workers are gone). */
  failAll(error: Error): void;
  /** Tells the pool that work under way ended (`join` may be waiting for that). */
  workEnded(): void;
}

export interface Dispatcher {
  /** Starts a job's chunks (there is at least one). */
  submit(job: Job, calls: ChunkCall[]): void;
  /** Drops a job none of whose chunks started. */
  withdraw(job: Job): void;
  /** True while work is under way: launched chunks, or a job being collected. */
  readonly busy: boolean;
  /** The pool was closed and its jobs are done: let the workers go. */
  close(): void;
  /** Resolves once the workers it started have left (after `close` or `terminate`). */
  left(): Promise<void>;
  /** Stops at once: queued work is dropped, running work cancelled. */
  terminate(): void;
}
