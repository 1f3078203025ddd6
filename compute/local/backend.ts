/** The default compute backend: worker threads on this machine, the tasks module loaded once per thread. */
import { availableParallelism } from 'node:os';
import { TimeoutError } from '../../mp-shim/errors.js';
import { dumps } from '../../mp-shim/serialization.js';
import type { ChunkCall } from '../../mp-shim/transport.js';
import type { ComputeBackend, RunContext } from '../backend.js';
import type { ThreadRequest } from '../task-runtime.js';
import { ThreadPool } from './thread-pool.js';

export interface LocalBackendOptions {
  /** Worker threads; default: the machine's available parallelism (or MPFLOW_THREADS). */
  threads?: number;
}

/** Threads of the local backend: MPFLOW_THREADS, else the machine's available parallelism. */
export function localParallelism(): number {
  return Number(process.env.MPFLOW_THREADS) || availableParallelism();
}

export class LocalBackend implements ComputeBackend {
  readonly parallelism: number;
  readonly #threads: ThreadPool;

  constructor({ threads = localParallelism() }: LocalBackendOptions = {}) {
    this.parallelism = threads;
    this.#threads = new ThreadPool(new URL('./task-thread.mjs', import.meta.url), threads);
  }

  async run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const timeout = call.timeoutMs === undefined ? undefined : AbortSignal.timeout(call.timeoutMs);
    const request: ThreadRequest = { call, context };
    try {
      return await this.#threads.run(request, timeout ? AbortSignal.any([signal, timeout]) : signal);
    } catch (error) {
      if (timeout?.aborted && !signal.aborted) {
        return dumps([false, new TimeoutError(`${call.summary} ran longer than ${call.timeoutMs} ms and was stopped`)]);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#threads.close();
  }
}
