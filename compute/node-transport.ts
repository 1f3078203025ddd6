/**
 * The Transport outside the workflow sandbox: shared state straight to Redis, files straight
 * to storage. The local engine's main program and code inside tasks each have one; which one
 * `transport()` answers is decided by the async context the call is made in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValueError } from '../mp-shim/errors.js';
import { dumps } from '../mp-shim/serialization.js';
import {
  installTransportLocator,
  launchInLanes,
  opName,
  progressKey,
  type ChunkCall,
  type Dispatch,
  type FileOp,
  type FileOpName,
  type FileResult,
  type JobProgress,
  type Launch,
  type PoolSpec,
  type PoolWorkers,
  type ProcessIdentity,
  type StateOp,
  type StateOpName,
  type StateResult,
  type Transport,
} from '../mp-shim/transport.js';
import type { RedisStore } from '../state/store.js';
import { executeFileOp } from '../storage/index.js';

/** One per process, kept on the global object so that every copy of this module shares it. */
const CONTEXT = Symbol.for('mpflow.transport.context');
const holder = globalThis as { [CONTEXT]?: AsyncLocalStorage<Transport> };
const current = (holder[CONTEXT] ??= new AsyncLocalStorage<Transport>());
installTransportLocator(() => current.getStore());

/** How long the answer of an operation made outside the workflow is kept for a repeat of it. */
const NODE_RECORD_MS = 60_000;
/** Operations of one stretch share a records hash, so a long program's records expire stretch by stretch. */
const OPS_PER_STRETCH = 1024;

/** How an operation is named among the records of its program or chunk (StateOp). */
export type OpIdentity = Required<Pick<StateOp, 'opId' | 'opRecords'>> & Pick<StateOp, 'opKeepMs'>;

/** Whether `op` takes an item (a get or recv): what it answers may be large. */
function takes(op: StateOp): boolean {
  return op.op === 'queue.get' || op.op === 'connection.recv';
}

/** The transport of the code calling, if any. */
export function currentTransport(): Transport | undefined {
  return current.getStore();
}

/** Runs `work` (and everything it starts) with `transport` as the one mp-shim talks to. */
export function runWithTransport<T>(transport: Transport, work: () => T): T {
  return current.run(transport, work);
}

export abstract class NodeTransport implements Transport {
  abstract readonly engine: Transport['engine'];
  abstract readonly runId: string;
  /** The run's storage URL (mpflow/fs). */
  abstract readonly storage: string;
  readonly maxChunksPerMap = Number.POSITIVE_INFINITY;
  /** Tasks start no pools; the local engine's main program takes the run's choice. */
  readonly dispatch: Dispatch = 'auto';
  readonly progress = new Map<string, JobProgress>();
  #opSequence = 0;

  constructor(protected readonly store: RedisStore) {}

  abstract readonly lockLeaseMs: number;
  abstract cpuCount(): number;
  abstract launch(call: ChunkCall): Launch;
  abstract startPoolWorkers(pool: PoolSpec): PoolWorkers;
  abstract runTask(call: ChunkCall): Promise<Uint8Array>;
  abstract ownerId(): string;
  abstract processIdentity(): { self: ProcessIdentity; parent?: ProcessIdentity };
  abstract warn(message: string, error?: unknown): void;

  /** Only a durable main program continues in a next run, where a process it started can be followed again. */
  attach(): Launch {
    throw new ValueError('a Process object can be carried only by checkpoint(), to the next run of a durable main program: it cannot be sent to a task or through shared state');
  }

  launchBatch(calls: ChunkCall[], width: number): Launch {
    return launchInLanes(calls, width, (call) => this.launch(call), dumps);
  }

  state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    return this.store.execute(this.runId, { ...op, ...this.identify(op) });
  }

  /**
   * Outside the workflow an operation is sent once; its only repeat is ioredis sending it again
   * after a reconnect, which its record (kept for a minute) answers. What a get or recv takes is
   * not kept: a pipe moving large messages would hold a minute of its traffic in Redis.
   */
  protected identify(op: StateOp): OpIdentity {
    const sequence = this.#opSequence++;
    return { opId: opName(sequence, op), opRecords: `${this.ownerId()}:${Math.floor(sequence / OPS_PER_STRETCH)}`, opKeepMs: takes(op) ? 0 : NODE_RECORD_MS };
  }

  file<K extends FileOpName>(op: FileOp<K>): Promise<FileResult<K>> {
    return executeFileOp(this.storage, op);
  }

  /** A round trip to Redis is short enough to wait for. */
  async post<K extends StateOpName>(op: StateOp<K>): Promise<void> {
    await this.state(op);
  }

  /** Only a durable main program's history grows: here a checkpoint has nothing to do. */
  async checkpoint(): Promise<void> {}

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
    this.progress.set(progressKey(progress), progress);
  }
}
