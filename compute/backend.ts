/** Where tasks run. The local backend uses worker threads; a Lambda backend implements the same interface. */
import type { ChunkCall, PoolWorkerSpec } from '../mp-shim/transport.js';

/** What a task needs to know about the run it belongs to. */
export interface RunContext {
  runId: string;
  /** Absolute path of the program's tasks module. */
  tasksModule: string;
  redisUrl: string;
  /** The run's storage for mpflow/fs: a file:// or s3:// URL. */
  storage: string;
  /** Lease of locks the task takes (the configuration's lockLeaseMs). */
  lockLeaseMs: number;
  /** False for a run whose chunks' timeline nobody can plot (the local engine's: it has no workflow id). */
  timeline?: boolean;
}

/** What a backend hands to wherever the chunk runs (a thread, a Lambda invocation). */
export interface ThreadRequest {
  call: ChunkCall;
  context: RunContext;
}

export interface ComputeBackend {
  /** How many tasks can compute at the same time. */
  readonly parallelism: number;
  /**
   * Runs a chunk and resolves to `dumps(Outcome)`: task errors, timeouts and
   * unknown tasks are outcomes. Rejects only when the backend itself failed
   * (a thread died, a function could not be invoked) or `signal` aborted.
   */
  run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Runs a queue-dispatch pool's workers on the backend itself (Lambda: one asynchronous
   * invocation per slot) until the pool is done; backends without it have the pool workers
   * run here, calling `run` for each chunk.
   */
  hostPoolWorkers?(spec: PoolWorkerSpec, context: RunContext, hooks: { signal: AbortSignal; onBeat?: () => void }): Promise<void>;
  /** Whether the backend can run tasks at all (Lambda: the function exists and may be invoked); a SetupError naming the fix if not. */
  check?(): Promise<void>;
  close(): Promise<void>;
}
