/** The default compute backend: worker threads on this machine, the tasks module loaded once per thread. */
import type { ChunkCall } from '../../mp-shim/transport.js';
import type { RedisStore } from '../../state/store.js';
import type { ComputeBackend, RunContext, ThreadRequest } from '../backend.js';
import { ChunkRunRecorder } from '../chunk-runs.js';
import { ThreadLeaseRenewer } from './thread-leases.js';
import { withTaskTimeout } from '../timeout.js';
import { ThreadPool, type ThreadScript } from './thread-pool.js';
import { ownModule } from '../own-modules.js';

const TASK_THREAD: ThreadScript = {
  filename: new URL('./task-thread.mjs', import.meta.url),
  options: { workerData: { taskRuntime: ownModule('../task-runtime.ts', import.meta.url), threadLeases: ownModule('./thread-leases.ts', import.meta.url) } },
};

export class LocalBackend implements ComputeBackend {
  readonly #threads: ThreadPool;
  readonly #leases: ThreadLeaseRenewer;
  readonly #runs: ChunkRunRecorder;

  /** `parallelism`: how many tasks compute at once (the configuration's `threads`); `store` renews the threads' lock leases. */
  constructor(
    readonly parallelism: number,
    store: RedisStore,
  ) {
    this.#leases = new ThreadLeaseRenewer(store);
    this.#runs = new ChunkRunRecorder(store);
    const options = { ...TASK_THREAD.options, env: { ...process.env, ...store.environment } };
    this.#threads = new ThreadPool({ ...TASK_THREAD, options }, parallelism, this.#leases);
  }

  run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const request: ThreadRequest = { call, context };
    return this.#runs.record(context, call, () => withTaskTimeout(call, signal, (stop) => this.#threads.run(request, stop)));
  }

  async close(): Promise<void> {
    await this.#runs.sent();
    await this.#threads.close();
    this.#leases.close();
  }
}
