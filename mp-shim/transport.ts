/**
 * The seam between the public API and where it runs. Every class in mp-shim
 * talks to the installed Transport: in the workflow sandbox each call becomes an
 * activity (so its result is in history); under the local engine and inside
 * tasks it goes straight to Redis and the compute backend.
 */
import { ProcessError } from './errors.js';

/** One unit of work for the compute backend: a task applied to a list of argument lists. */
export interface ChunkCall {
  /** Export name of the task in the program's tasks module. */
  task: string;
  /** `dumps(args[][])`: one argument list per item, encoded by the caller. */
  items: Uint8Array;
  /** Shown in the Web UI and in errors, e.g. `inCircle · map 2 · chunk 3/8`. */
  summary: string;
  /** Stops the task when it runs longer (milliseconds). */
  timeoutMs?: number;
  /** Present for pool work: which worker slot runs it, and how to initialize that slot. */
  slot?: WorkerSlot;
  /** Present for a `Process` target: who it is; it runs for as long as it needs, heartbeating. */
  process?: ProcessIdentity;
}

export interface ProcessIdentity {
  name: string;
  pid: number;
}

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
}

/** Shared-state operations, executed atomically where Redis holds the state. */
export type StateOp =
  | { op: 'queue.put'; key: string; item: Uint8Array; maxsize: number; timeoutMs?: number; block: boolean }
  | { op: 'queue.get'; key: string; maxsize: number; timeoutMs?: number; block: boolean }
  | { op: 'queue.qsize'; key: string };

export interface StateResult {
  'queue.put': boolean;
  'queue.get': Uint8Array | null;
  'queue.qsize': number;
}

export interface Transport {
  readonly engine: 'temporal' | 'local' | 'task';
  /** Namespace of the run's Redis keys. */
  readonly runId: string;
  /** Parallelism the compute backend offers. */
  cpuCount(): number;
  launch(call: ChunkCall): Launch;
  /** Launches that together may hold at most this many chunks; larger maps are grouped into batches. */
  readonly maxChunksPerMap: number;
  /** Runs `calls` with at most `width` in flight, as one unit; resolves to `dumps(Outcome[])`. */
  launchBatch(calls: ChunkCall[], width: number): Launch;
  state<K extends StateOp['op']>(op: Extract<StateOp, { op: K }>): Promise<StateResult[K]>;
  sleep(ms: number): Promise<void>;
  /** True when `promise` settled within `timeoutMs` (`undefined`: wait until it does). */
  settlesWithin(promise: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean>;
  /** A fresh identifier (deterministic in the workflow sandbox). */
  uuid(): string;
  /** Reports a pool job's progress to whoever inspects the run. */
  reportProgress(progress: JobProgress): void;
  /** Who is running this code, and who started it (none for the main program). */
  processIdentity(): { self: ProcessIdentity; parent?: ProcessIdentity };
}

export interface JobProgress {
  job: string;
  task: string;
  chunks: number;
  done: number;
  failed: number;
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

const TRANSPORT = Symbol.for('mpflow.transport');
type Holder = { [TRANSPORT]?: Transport };

export function installTransport(transport: Transport | undefined): void {
  (globalThis as Holder)[TRANSPORT] = transport;
}

export function transport(): Transport {
  const installed = (globalThis as Holder)[TRANSPORT];
  if (!installed) {
    throw new ProcessError(
      'mpflow is not running here: start the program with `mpflow run <program>` (or runProgram()), not by importing main.ts directly',
    );
  }
  return installed;
}
