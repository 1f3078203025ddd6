/** The default compute backend: worker threads on this machine, the tasks module loaded once per thread. */
import type { ChunkCall } from '../../mp-shim/transport.js';
import type { ComputeBackend, RunContext, ThreadRequest } from '../backend.js';
import { withTaskTimeout } from '../timeout.js';
import { ThreadPool } from './thread-pool.js';

export class LocalBackend implements ComputeBackend {
  readonly #threads: ThreadPool;

  /** `threads`: how many tasks compute at once (the configuration's `threads`). */
  constructor(readonly parallelism: number) {
    this.#threads = new ThreadPool(new URL('./task-thread.mjs', import.meta.url), parallelism);
  }

  run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const request: ThreadRequest = { call, context };
    return withTaskTimeout(call, signal, (stop) => this.#threads.run(request, stop));
  }

  async close(): Promise<void> {
    await this.#threads.close();
  }
}
