/**
 * The seam between the public API and where it runs. Every class in mp-shim
 * talks to the installed Transport: in the workflow sandbox each call becomes an
 * activity (so its result is in history); under the local engine and inside
 * tasks it goes straight to Redis and the compute backend.
 */
import { ProcessError } from './errors.js';

/** One unit of work for the compute backend: a task applied to a list of argument lists. */
export interface ChunkCall {
  /** The chunk in its run, the same for every attempt of it: its operations' identities start with it. */
  id: string;
  /** Export name of the task in the program's tasks module. */
  task: string;
  /** `dumps(args[][])`: one argument list per item, encoded by the caller. */
  items: Uint8Array;
  /** Shown in the Web UI and in errors, e.g. `inCircle · map 2 · chunk 3/8`. */
  summary: string;
  /** When the main program submitted it (ms since the epoch, on its clock): `mpflow plot` shows how long it waited. */
  queuedAt?: number;
  /** Stops the task when it runs longer (milliseconds). */
  timeoutMs?: number;
  /** Present for pool work: which worker slot runs it, and how to initialize that slot. */
  slot?: WorkerSlot;
  /** Present for a `Process` target: who it is; it runs for as long as it needs, heartbeating. */
  process?: ProcessIdentity;
}

/** A pool in queue dispatch: `processes` worker slots pulling chunks from its job queue in Redis. */
export interface PoolSpec {
  poolId: string;
  processes: number;
  initializer?: string;
  initargs?: Uint8Array;
  maxTasksPerChild?: number;
}

/** Slots `firstSlot … firstSlot + slots − 1` of a pool, hosted by one long-lived pool worker. */
export interface PoolWorkerSpec extends PoolSpec {
  firstSlot: number;
  slots: number;
  /** A claimed chunk returns to the queue unless its worker renews the lease within this long. */
  leaseMs: number;
}

/** How a pool's chunks reach its slots (Pool's `dispatch` option). */
export type Dispatch = 'activity' | 'queue' | 'auto';

export interface ProcessIdentity {
  name: string;
  pid: number;
}

/** Who the main program is, on every engine. */
export const MAIN_PROCESS: ProcessIdentity = { name: 'MainProcess', pid: 1 };

export interface WorkerSlot {
  poolId: string;
  index: number;
  /** Bumped when `maxTasksPerChild` retires the slot, so the initializer runs again. */
  generation: number;
  initializer?: string;
  initargs?: Uint8Array;
}

/** A chunk's result as pool.py keeps it: `[true, results]` or `[false, error]`. */
export type Outcome = [ok: true, results: unknown[]] | [ok: false, error: Error];

export interface Launch {
  /** Resolves to `dumps(Outcome)`; rejects only when the infrastructure gave up. */
  result: Promise<Uint8Array>;
  cancel(): void;
  /** It goes on running when a checkpoint ends the run (a durable main program's Process): the next run re-attaches to it by its call's id. */
  outlivesRun?: boolean;
}

export interface PoolWorkers {
  /** Resolves when every pool worker has left; rejects when one failed for good. */
  done: Promise<void>;
  cancel(): void;
}

/**
 * Shared-state operations: name → [arguments, result]. Each is one atomic step in Redis;
 * those marked `block` may wait for another process, at most `timeoutMs`.
 */
export interface StateOpTable {
  'queue.put': [{ key: string; item: Uint8Array; maxsize: number; joinable?: boolean }, boolean];
  'queue.get': [{ key: string }, Uint8Array | null];
  'queue.qsize': [{ key: string }, number];
  /** Unfinished tasks left after this one, or -1 when there were none (ValueError). */
  'queue.taskDone': [{ key: string }, number];
  'queue.join': [{ key: string }, boolean];
  'lock.acquire': [{ key: string; owner: string; reentrant: boolean; leaseMs: number }, boolean];
  /** 2 released (free), 1 one recursion level less, 0 was not locked, -1 held by another owner. */
  'lock.release': [{ key: string; owner: string; reentrant: boolean }, number];
  'semaphore.acquire': [{ key: string; initial: number }, boolean];
  /** The new value, or -1 when a bounded semaphore would exceed its bound. */
  'semaphore.release': [{ key: string; initial: number; n: number; bound: number }, number];
  'semaphore.value': [{ key: string; initial: number }, number];
  'event.set': [{ key: string }, boolean];
  'event.clear': [{ key: string }, boolean];
  'event.isSet': [{ key: string }, boolean];
  'event.wait': [{ key: string }, boolean];
  /** Releases the lock, waits to be notified, takes the lock back: true when notified in time, null when the lock was not held. */
  'condition.wait': [{ key: string; lockKey: string; owner: string; reentrant: boolean; leaseMs: number }, boolean | null];
  /** How many waiters were woken, or -1 when the caller does not hold the lock. */
  'condition.notify': [{ key: string; lockKey: string; owner: string; n: number }, number];
  'barrier.arrive': [{ key: string; parties: number }, [index: number, generation: number, broken: boolean]];
  'barrier.trip': [{ key: string; generation: number }, boolean];
  /** 'tripped' or 'broken' once the barrier's generation is decided; null when the wait timed out. */
  'barrier.await': [{ key: string; generation: number }, 'tripped' | 'broken' | null];
  'barrier.abort': [{ key: string }, boolean];
  'barrier.reset': [{ key: string }, boolean];
  'barrier.state': [{ key: string }, [waiting: number, broken: boolean]];
  'connection.send': [{ key: string; message: Uint8Array }, number];
  'connection.recv': [{ key: string }, Uint8Array | null];
  'connection.poll': [{ key: string }, boolean];
  'connection.waitAny': [{ keys: string[] }, string[]];
  /** Creates the array: `bytes` when given, else `length` zero bytes (allocated by Redis, not sent). */
  'array.init': [{ key: string; length: number; bytes?: Uint8Array }, boolean];
  'array.read': [{ key: string; start: number; end: number }, Uint8Array];
  'array.write': [{ key: string; offset: number; bytes: Uint8Array }, number];
  /** Adds `delta` to the element at byte `offset` on the server; returns the new value as text (exact for 64-bit). */
  'array.add': [{ key: string; offset: number; typecode: string; delta: string }, string];
  'dict.get': [{ key: string; field: Uint8Array }, Uint8Array | null];
  'dict.set': [{ key: string; field: Uint8Array; value: Uint8Array }, boolean];
  'dict.delete': [{ key: string; field: Uint8Array }, boolean];
  'dict.has': [{ key: string; field: Uint8Array }, boolean];
  'dict.items': [{ key: string }, [Uint8Array, Uint8Array][]];
  'dict.length': [{ key: string }, number];
  'dict.clear': [{ key: string }, boolean];
  'dict.update': [{ key: string; entries: [Uint8Array, Uint8Array][] }, boolean];
  'dict.pop': [{ key: string; field: Uint8Array }, Uint8Array | null];
  'dict.setdefault': [{ key: string; field: Uint8Array; value: Uint8Array }, Uint8Array];
  'list.push': [{ key: string; values: Uint8Array[] }, number];
  'list.insert': [{ key: string; index: number; value: Uint8Array }, number];
  /** The removed value, or null when the index is out of range. */
  'list.pop': [{ key: string; index: number }, Uint8Array | null];
  'list.remove': [{ key: string; value: Uint8Array }, boolean];
  'list.index': [{ key: string; value: Uint8Array }, number | null];
  'list.get': [{ key: string; index: number }, Uint8Array | null];
  'list.set': [{ key: string; index: number; value: Uint8Array }, boolean];
  'list.slice': [{ key: string; start: number; stop: number }, Uint8Array[]];
  'list.length': [{ key: string }, number];
  'list.sort': [{ key: string; reverse: boolean }, boolean];
  /** Queues a job's chunks on a pool's job queue; a replayed submit queues nothing. */
  'pool.submit': [{ key: string; job: number; calls: ChunkCall[]; stragglerFactor: number; stragglerMinMs: number }, number];
  /**
   * `[index, dumps(Outcome)]` of the chunks finished since `cursor`, once `need` are finished
   * in all or one failed; 'terminated' when the pool was.
   */
  'pool.collect': [{ key: string; job: number; cursor: number; need: number }, [number, Uint8Array][] | 'terminated'];
  'pool.stop': [{ key: string; how: 'closed' | 'terminated' }, boolean];
  'object.load': [{ key: string }, Uint8Array | null];
  'object.store': [{ key: string; state: Uint8Array }, boolean];
}

/** What storage says of a path: a file (an object) or a directory (a prefix). */
export interface FileInfo {
  kind: 'file' | 'directory';
  size: number;
  mtimeMs: number;
}

/** One entry of a directory listing; `parent` is the entry's directory, relative to the storage root. */
export interface DirEntry {
  name: string;
  parent: string;
  kind: 'file' | 'directory';
}

/** A write in progress: bytes become visible at `path` only when it completes. */
export interface Upload {
  uploadId: string;
  /** Parts already stored: an appended-to object copied on the server. */
  parts: string[];
  /** Bytes the upload holds already (the object appended to). */
  size: number;
  /** Bytes of a small appended-to object the writer must send again, ahead of its own. */
  carried: Uint8Array;
}

/**
 * Storage operations (mpflow/fs): name → [arguments, result]. Paths are relative to the
 * storage root and already normalized; a failure is an error carrying Node's `code`.
 */
export interface FileOpTable {
  /** The bytes of a file, or of `start … end − 1` of it. */
  'file.read': [{ path: string; start?: number; end?: number }, Uint8Array];
  'file.write': [{ path: string; bytes: Uint8Array; exclusive: boolean }, null];
  'file.append': [{ path: string; bytes: Uint8Array }, null];
  'file.stat': [{ path: string }, FileInfo];
  'file.list': [{ path: string; recursive: boolean }, DirEntry[]];
  /** The first directory created (recursive), or null. */
  'file.mkdir': [{ path: string; recursive: boolean }, string | null];
  /** `unlink` removes a file, `rmdir` an empty directory, `rm` either (a directory only when recursive). */
  'file.remove': [{ path: string; how: 'unlink' | 'rmdir' | 'rm'; recursive: boolean; force: boolean }, null];
  'file.rename': [{ from: string; to: string }, null];
  'file.copy': [{ from: string; to: string; exclusive: boolean }, null];
  'upload.start': [{ path: string; exclusive: boolean; append: boolean }, Upload];
  /** Stores part `part` (1-based) at byte `offset`; returns its tag for `upload.complete`. */
  'upload.part': [{ path: string; uploadId: string; part: number; offset: number; bytes: Uint8Array }, string];
  'upload.complete': [{ path: string; uploadId: string; parts: string[]; exclusive: boolean }, null];
  'upload.abort': [{ path: string; uploadId: string }, null];
}

export type FileOpName = keyof FileOpTable;
export type FileOp<K extends FileOpName = FileOpName> = { op: K } & FileOpTable[K][0];
export type FileResult<K extends FileOpName> = FileOpTable[K][1];

export type StateOpName = keyof StateOpTable;
export type StateOp<K extends StateOpName = StateOpName> = {
  op: K;
  /**
   * The operation's identity: a repeat of it (a retry, a replay, a chunk run again) answers what
   * the first run answered without applying it again. `opId` names it among `opRecords`, the
   * records of one main program, one task chunk or one stretch of operations, which are kept
   * `opKeepMs` (default: as long as the run's keys) and dropped together.
   */
  opId?: string;
  opRecords?: string;
  opKeepMs?: number;
  /** A longer wait with the same identity may follow this one (the main program's short wait): its "not yet" is not its answer. */
  provisional?: boolean;
  block?: boolean;
  timeoutMs?: number;
  /** The wait can only end through work launched in this same step (the main program's transport then waits where launching is not held up). */
  awaitsNewWork?: boolean;
} & StateOpTable[K][0];
export type StateResult<K extends StateOpName> = StateOpTable[K][1];

/**
 * The name of the `sequence`th operation of a program or a chunk. It also says what the
 * operation is and on which object: should a repeat number operations differently, an
 * operation never gets the answer recorded for another.
 */
export function opName(sequence: number, op: StateOp): string {
  return `${sequence}:${op.op}:${'key' in op ? op.key : op.keys.join(',')}`;
}

/** How the Web UI and a run's current details name an operation: what it does, and on which objects (`queue.put · 1a2b3c4d`). */
export function describeOp(op: StateOp): string {
  return `${op.op} · ${('key' in op ? [op.key] : op.keys).map((key) => key.slice(0, 8)).join(', ')}`;
}

/** How an operation that may block waits: what it answers when it could not proceed in time, and whether its wait may be cut short and resumed. */
export interface WaitDeclaration<R> {
  /** The answer that means "not yet": the caller then waits longer, or its timeout has passed. */
  notYet: R;
  /** False when stopping the wait has effects of its own (a Condition re-takes its lock), so it must be one wait. */
  splittable: boolean;
}

/**
 * Every operation declares here whether it can block (null: never), so that a new one cannot
 * be taken for finished when it only had to wait.
 */
export const WAITS: { [K in StateOpName]: WaitDeclaration<StateResult<K>> | null } = {
  'queue.put': { notYet: false, splittable: true },
  'queue.get': { notYet: null, splittable: true },
  'queue.qsize': null,
  'queue.taskDone': null,
  'queue.join': { notYet: false, splittable: true },
  'lock.acquire': { notYet: false, splittable: true },
  'lock.release': null,
  'semaphore.acquire': { notYet: false, splittable: true },
  'semaphore.release': null,
  'semaphore.value': null,
  'event.set': null,
  'event.clear': null,
  'event.isSet': null,
  'event.wait': { notYet: false, splittable: true },
  'condition.wait': { notYet: false, splittable: false },
  'condition.notify': null,
  'barrier.arrive': null,
  'barrier.trip': null,
  'barrier.await': { notYet: null, splittable: true },
  'barrier.abort': null,
  'barrier.reset': null,
  'barrier.state': null,
  'connection.send': null,
  'connection.recv': { notYet: null, splittable: true },
  'connection.poll': { notYet: false, splittable: true },
  'connection.waitAny': { notYet: [], splittable: true },
  'array.init': null,
  'array.read': null,
  'array.write': null,
  'array.add': null,
  'dict.get': null,
  'dict.set': null,
  'dict.delete': null,
  'dict.has': null,
  'dict.items': null,
  'dict.length': null,
  'dict.clear': null,
  'dict.update': null,
  'dict.pop': null,
  'dict.setdefault': null,
  'list.push': null,
  'list.insert': null,
  'list.pop': null,
  'list.remove': null,
  'list.index': null,
  'list.get': null,
  'list.set': null,
  'list.slice': null,
  'list.length': null,
  'list.sort': null,
  'pool.submit': null,
  'pool.collect': { notYet: [], splittable: true },
  'pool.stop': null,
  'object.load': null,
  'object.store': null,
};

/** Whether `result` of a blocking `op` is its declared "not yet". */
export function isNotYet<K extends StateOpName>(op: K, result: StateResult<K>): boolean {
  const declared = WAITS[op];
  if (!declared) return false;
  const notYet: unknown = declared.notYet;
  return Array.isArray(notYet) ? Array.isArray(result) && result.length === 0 : result === notYet;
}

export interface Transport {
  readonly engine: 'temporal' | 'local' | 'task';
  /** Namespace of the run's Redis keys. */
  readonly runId: string;
  /** How pools that do not choose dispatch their chunks (a run option). */
  readonly dispatch: Dispatch;
  /** Parallelism the compute backend offers. */
  cpuCount(): number;
  launch(call: ChunkCall): Launch;
  /** Follows again a Process launched (as call `id`) in an earlier run of the chain, whose object a checkpoint carried to this one. */
  attach(id: string): Launch;
  /** Launches that together may hold at most this many chunks; larger maps are grouped into batches. */
  readonly maxChunksPerMap: number;
  /** Runs `calls` with at most `width` in flight, as one unit; resolves to `dumps(Outcome[])`. */
  launchBatch(calls: ChunkCall[], width: number): Launch;
  /** Starts the pool workers of a queue-dispatch pool. */
  startPoolWorkers(pool: PoolSpec): PoolWorkers;
  state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>>;
  /** An operation whose answer the caller does not need and which cannot fail: it may be applied after this returns, but before anything the caller does next that another process could see. */
  post<K extends StateOpName>(op: StateOp<K>): Promise<void>;
  /** A storage operation on the run's storage (`--storage`); rejects with an error carrying Node's `code`. */
  file<K extends FileOpName>(op: FileOp<K>): Promise<FileResult<K>>;
  /** Who holds locks taken here: the main program, or one task execution. */
  ownerId(): string;
  /** Lease of locks taken here (0: none, the holder is durable); renewed while the holder runs. */
  readonly lockLeaseMs: number;
  /** Runs a task to completion in the calling process's way (a barrier's action): resolves to `dumps(Outcome)`. */
  runTask(call: ChunkCall): Promise<Uint8Array>;
  /**
   * Carries the main program on in a fresh run called with `args` when this run's history calls
   * for it, once `settle` has closed what the run holds (it names the processes still running,
   * which postpone the checkpoint); returns at once otherwise.
   */
  checkpoint(args: unknown[], settle: () => Promise<string[]>): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** True when `promise` settled within `timeoutMs` (`undefined`: wait until it does). */
  settlesWithin(promise: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean>;
  /** A fresh identifier (deterministic in the workflow sandbox). */
  uuid(): string;
  /** Reports a pool job's progress to whoever inspects the run. */
  reportProgress(progress: JobProgress): void;
  /** Who is running this code, and who started it (none for the main program). */
  processIdentity(): { self: ProcessIdentity; parent?: ProcessIdentity };
  /** Reports what the program should hear of but is not a result (a callback threw, a process failed), through the engine's logger. */
  warn(message: string, error?: unknown): void;
}

export interface JobProgress {
  /** The pool's id: job numbers count per pool. */
  pool?: string;
  job: string;
  task: string;
  chunks: number;
  done: number;
  failed: number;
}

/** A map's place among a run's maps: its pool and its job there. */
export function progressKey({ pool, job }: JobProgress): string {
  return `${pool}/${job}`;
}

/** Runs `calls` with at most `width` launched at once; resolves to `dumps(Uint8Array[])`, one outcome per call. */
export function launchInLanes(calls: ChunkCall[], width: number, launch: (call: ChunkCall) => Launch, encode: (outcomes: Uint8Array[]) => Uint8Array): Launch {
  const launches = new Set<Launch>();
  const outcomes: Uint8Array[] = new Array(calls.length);
  let next = 0;
  const lane = async () => {
    while (next < calls.length) {
      const index = next++;
      const started = launch(calls[index]);
      launches.add(started);
      outcomes[index] = await started.result;
      launches.delete(started);
    }
  };
  const result = Promise.all(Array.from({ length: Math.min(width, calls.length) }, lane)).then(() => encode(outcomes));
  return { result, cancel: () => launches.forEach((started) => started.cancel()) };
}

const LOCATOR = Symbol.for('mpflow.transport');
type Holder = { [LOCATOR]?: () => Transport | undefined };

/**
 * Tells `transport()` where to find the transport of the code calling it: in the workflow
 * sandbox the run's one (each run has a global scope of its own); in Node the run or task in
 * whose async context the call is made, so two runs in one process never see each other's.
 */
export function installTransportLocator(locate: () => Transport | undefined): void {
  (globalThis as Holder)[LOCATOR] = locate;
}

export function transport(): Transport {
  const installed = (globalThis as Holder)[LOCATOR]?.();
  if (!installed) {
    throw new ProcessError(
      'mpflow is not running here: start the program with `mpflow run <program>` (or runProgram()), not by importing main.ts directly',
    );
  }
  return installed;
}
