/** The default compute backend: worker threads on this machine, the tasks module loaded once per thread. */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { TimeoutError } from '../mp-shim/errors.js';
import { dumps } from '../mp-shim/serialization.js';
import type { ChunkCall } from '../mp-shim/transport.js';
import type { ComputeBackend, RunContext } from './compute-backend.js';
import type { ThreadRequest } from './task-thread.js';

export interface LocalBackendOptions {
  /** Worker threads; default: the machine's available parallelism (or MPFLOW_THREADS). */
  threads?: number;
}

/** Async tasks (sleeps, I/O) interleave on a thread; CPU-bound ones are bounded by the thread count anyway. */
const CONCURRENT_TASKS_PER_THREAD = 1024;

export class LocalBackend implements ComputeBackend {
  readonly parallelism: number;
  readonly #pool: Piscina;

  constructor({ threads = Number(process.env.MPFLOW_THREADS) || availableParallelism() }: LocalBackendOptions = {}) {
    this.parallelism = threads;
    this.#pool = new Piscina({
      filename: new URL('./task-thread-entry.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: CONCURRENT_TASKS_PER_THREAD,
      idleTimeout: Infinity,
    });
  }

  async run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const timeout = call.timeoutMs === undefined ? undefined : AbortSignal.timeout(call.timeoutMs);
    const request: ThreadRequest = { call, context };
    try {
      return await this.#pool.run(request, { signal: timeout ? AbortSignal.any([signal, timeout]) : signal });
    } catch (error) {
      if (timeout?.aborted && !signal.aborted) {
        return dumps([false, new TimeoutError(`${call.summary} ran longer than ${call.timeoutMs} ms and was stopped`)]);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}
