/** What the client and the workflows share: inputs, run options and the progress query. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { DEFAULT_ATTEMPTS } from '../compute/retry-policy.js';
import type { Pricing } from '../compute/lambda/cost.js';
import type { ChunkCall, Dispatch, JobProgress } from '../mp-shim/transport.js';

export interface RunOptions {
  /** The compute backend's parallelism: `cpuCount()`, and the size of `new Pool()`. */
  cpuCount: number;
  /** A chunk's worker is presumed dead after this long without a heartbeat; its chunk is retried elsewhere. */
  heartbeatTimeoutMs: number;
  /** Attempts per chunk when the infrastructure fails (task errors are never retried). */
  maxAttempts: number;
  /** Chunks one workflow runs as activities of its own; larger maps are batched into child workflows. */
  maxChunksPerMap: number;
  /** How pools that do not choose dispatch their chunks. */
  dispatch: Dispatch;
  /** The run's storage for mpflow/fs: `file:///path` or `s3://bucket/prefix`. */
  storage: string;
  /** Rates the cost report prices Lambda usage at (USD). */
  pricing: Pricing;
  /** Slots one pool-worker activity hosts in queue dispatch: `Pool(n)` runs ⌈n / this⌉ of them. */
  poolSlotsPerWorker: number;
  /** The history limits the Temporal server enforces (it terminates a run past them): what checkpoints and the limit's warning measure against. */
  historyLimit: HistoryLimit;
  /** Faults the test suite injects (never set by mpflow itself). */
  testHooks?: TestHooks;
}

export interface TestHooks {
  /**
   * The first time each kind of shared-state operation runs (as a local activity), it is applied
   * and its answer then lost, so that Temporal runs it again: its answer must not change.
   */
  loseFirstAnswers?: boolean;
  /**
   * The first time each kind of shared-state operation runs (at most 8 kinds a run), the
   * workflow task fails right after its local activity ran, so that Temporal retries the task:
   * the retry replays the run and runs that operation again, under the same identity.
   */
  failWorkflowTasks?: boolean;
}

export interface HistoryLimit {
  events: number;
  bytes: number;
}

/** Temporal's defaults (`limit.historyCount.error`, `limit.historySize.error`). */
export const TEMPORAL_HISTORY_LIMIT: HistoryLimit = { events: 51_200, bytes: 50 * 1024 * 1024 };

export const defaultRunOptions: Omit<RunOptions, 'cpuCount' | 'storage' | 'pricing'> = {
  heartbeatTimeoutMs: 10_000,
  maxAttempts: DEFAULT_ATTEMPTS,
  maxChunksPerMap: 1_000,
  poolSlotsPerWorker: 256,
  dispatch: 'auto',
  historyLimit: TEMPORAL_HISTORY_LIMIT,
};

export interface MainProgramInput {
  /** The exported function of main.ts to run. */
  entry: string;
  args: unknown[];
  options: RunOptions;
  /** The run's place in its chain: 1, then one more after each checkpoint. */
  run?: number;
  /** The processes earlier runs of the chain started that this one follows (a checkpoint carries them). */
  processes?: ChainProcesses;
}

/** A chain's processes by launch id: null while running, else how it ended (`dumps(Outcome)`) until a Process object has seen it. */
export type ChainProcesses = Record<string, Uint8Array | null>;

/** A durable main program's Process: its target, run by a workflow of its own that outlives the run's checkpoints. */
export interface ProcessRunInput {
  /** The main program's workflow id: it names the run's Redis keys, and the current run of the chain hears from the process there. */
  runId: string;
  call: ChunkCall;
  options: RunOptions;
}

/** A process tells the current run of its main program that it ended: its launch id and `dumps(Outcome)`. */
export const processExitedSignal = defineSignal<[launchId: string, outcome: Uint8Array]>('processExited');

export interface MapBatchInput {
  runId: string;
  calls: ChunkCall[];
  width: number;
  options: RunOptions;
}

export const progressQuery = defineQuery<JobProgress[]>('progress');

/** How much of its history budget the current run of a chain has used. */
export interface HistoryUse {
  /** The run's place in its chain (checkpoints taken: run − 1). */
  run: number;
  /** Events and bytes of the run's history, counting what the current workflow task has yet to record. */
  events: number;
  bytes: number;
  limit: HistoryLimit;
}

export const historyQuery = defineQuery<HistoryUse>('history');

/**
 * Shares of the history limit: a checkpoint carries the program on in a fresh run past the
 * first, a run is warned of past the second and fails past the third, leaving room to end in
 * order before the server would terminate it.
 */
export const HISTORY_SHARES = { checkpoint: 0.2, warn: 0.8, fail: 0.9 } as const;

/** A checkpoint is due at this size too, whatever the limit: a worker taking over a run after a crash replays it all, and that takes seconds at this size. */
export const CHECKPOINT_HISTORY: HistoryLimit = { events: 4_096, bytes: 4 * 1024 * 1024 };

/** Whether a run whose history holds `use` should carry on in a fresh one. */
export function checkpointDue(use: Omit<HistoryUse, 'run'>): boolean {
  return historyShare(use) >= HISTORY_SHARES.checkpoint || use.events >= CHECKPOINT_HISTORY.events || use.bytes >= CHECKPOINT_HISTORY.bytes;
}

/** The larger share of its limit, in events or in bytes, a history has used. */
export function historyShare({ events, bytes, limit }: Omit<HistoryUse, 'run'>): number {
  return Math.max(events / limit.events, bytes / limit.bytes);
}

/** What a history near its limit has come to, and the fix. */
export function historyReport(use: Omit<HistoryUse, 'run'>): string {
  const { events, bytes, limit } = use;
  return (
    `the run's history holds ${events} events and ${bytes} bytes, ${Math.round(historyShare(use) * 100)} % of the limit (${limit.events} events, ${limit.bytes} bytes) past which Temporal terminates a run: ` +
    `call checkpoint(...args) in the main program, at the end of a loop iteration, so that it carries on in fresh runs (MPFLOW_HISTORY_MAX_EVENTS and _BYTES tell mpflow the limits of a server configured otherwise)`
  );
}

/** Metadata that marks a log entry as mpflow's own: its warnings are shown to the user, the SDK's only at debug level. */
export const OWN_LOG_ENTRY = { mpflow: true } as const;
