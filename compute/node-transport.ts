/**
 * The Transport outside the workflow sandbox: shared state straight to Redis,
 * tasks straight to the compute backend. Used by the local engine's main program
 * and, through TaskTransport, by code running inside tasks.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisStore } from '../state/store.js';
import { executeFileOp } from '../storage/index.js';
import { ProcessError } from '../mp-shim/errors.js';
import { dumps } from '../mp-shim/serialization.js';
import {
  launchInLanes,
  type ChunkCall,
  type Dispatch,
  type FileOp,
  type FileOpName,
  type FileResult,
  type JobProgress,
  type Launch,
  type PoolSpec,
  type PoolWorkers,
  type PoolWorkerSpec,
  type ProcessIdentity,
  type StateOp,
  type StateOpName,
  type StateResult,
  type Transport,
} from '../mp-shim/transport.js';
import type { ComputeBackend, RunContext } from './backend.js';
import { runPoolWorker } from './pool-worker.js';

/** Attempts for a chunk whose backend failed (a thread died), as the durable engine's retry policy. */
const INFRASTRUCTURE_ATTEMPTS = 5;
/** Lease of a chunk claimed by the local engine's pool worker (renewed every second while it runs). */
const LOCAL_CHUNK_LEASE_MS = 10_000;

export abstract class NodeTransport implements Transport {
  abstract readonly engine: Transport['engine'];
  abstract readonly runId: string;
  /** The run's storage URL (mpflow/fs). */
  abstract readonly storage: string;
  readonly maxChunksPerMap = Number.POSITIVE_INFINITY;
  /** Tasks start no pools; the local engine's main program takes the run's choice. */
  readonly dispatch: Dispatch = 'auto';
  readonly progress = new Map<string, JobProgress>();

  constructor(protected readonly store: RedisStore) {}

  abstract readonly lockLeaseMs: number;
  abstract cpuCount(): number;
  abstract launch(call: ChunkCall): Launch;
  abstract startPoolWorkers(pool: PoolSpec): PoolWorkers;
  abstract runTask(call: ChunkCall): Promise<Uint8Array>;
  abstract ownerId(): string;
  abstract processIdentity(): { self: ProcessIdentity; parent?: ProcessIdentity };

  launchBatch(calls: ChunkCall[], width: number): Launch {
    return launchInLanes(calls, width, (call) => this.launch(call), dumps);
  }

  state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    return this.store.execute(this.runId, op);
  }

  file<K extends FileOpName>(op: FileOp<K>): Promise<FileResult<K>> {
    return executeFileOp(this.storage, op);
  }

  async sleep(ms: number): Promise<void> {
    await sleep(ms);
  }

  async settlesWithin(promise: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
    const settled = promise.then(() => true, () => true);
    if (timeoutMs === undefined) return settled;
    const timer = new AbortController();
    try {
      return await Promise.race([settled, sleep(timeoutMs, false, { signal: timer.signal })]);
    } finally {
      timer.abort();
    }
  }

  uuid(): string {
    return randomUUID();
  }

  reportProgress(progress: JobProgress): void {
    this.progress.set(progress.job, progress);
  }
}

/** The main program under the local engine: plain Node, no Temporal. */
export class LocalEngineTransport extends NodeTransport {
  readonly engine = 'local';
  /** The main program's locks have no lease: when it dies the run is over. */
  readonly lockLeaseMs = 0;

  constructor(
    store: RedisStore,
    private readonly backend: ComputeBackend,
    private readonly context: RunContext,
    override readonly dispatch: Dispatch = 'auto',
  ) {
    super(store);
  }

  get runId(): string {
    return this.context.runId;
  }

  get storage(): string {
    return this.context.storage;
  }

  cpuCount(): number {
    return this.backend.parallelism;
  }

  launch(call: ChunkCall): Launch {
    const controller = new AbortController();
    return {
      result: runWithRetries(this.backend, call, this.context, controller.signal),
      cancel: () => controller.abort(new ProcessError(`${call.summary} was cancelled`)),
    };
  }

  /** One pool worker in this process hosts every slot: the backend is local. */
  startPoolWorkers(pool: PoolSpec): PoolWorkers {
    const controller = new AbortController();
    const spec = { ...pool, firstSlot: 0, slots: pool.processes, leaseMs: LOCAL_CHUNK_LEASE_MS };
    return { done: hostPoolWorkers(this.store, this.backend, spec, this.context, { signal: controller.signal }), cancel: () => controller.abort() };
  }

  runTask(call: ChunkCall): Promise<Uint8Array> {
    return this.launch(call).result;
  }

  ownerId(): string {
    return `main:${this.runId}`;
  }

  processIdentity() {
    return { self: MAIN_PROCESS };
  }
}

export const MAIN_PROCESS: ProcessIdentity = { name: 'MainProcess', pid: 1 };

/**
 * Runs a pool worker's slots until the pool is done: on the backend itself when it hosts pool
 * workers (Lambda), else here, each chunk launched on the backend with retries.
 */
export function hostPoolWorkers(store: RedisStore, backend: ComputeBackend, spec: PoolWorkerSpec, context: RunContext, hooks: { signal: AbortSignal; onBeat?: () => void }): Promise<void> {
  if (backend.hostPoolWorkers) return backend.hostPoolWorkers(spec, context, hooks);
  const run = (call: ChunkCall, signal: AbortSignal) => runWithRetries(backend, call, context, signal);
  return runPoolWorker(store, context.runId, spec, run, { ...hooks, parallelism: backend.parallelism });
}

/** Retries a chunk whose backend failed, with backoff; task errors are outcomes and never retried. */
export async function runWithRetries(backend: ComputeBackend, call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.run(call, context, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (attempt === INFRASTRUCTURE_ATTEMPTS) {
        throw new ProcessError(`${call.summary} failed ${attempt} times on the compute backend: ${(error as Error).message}`, { cause: error });
      }
      await sleep(100 * 2 ** attempt);
    }
  }
}
