/** What the client and the workflows share: inputs, run options and the progress query. */
import { defineQuery } from '@temporalio/workflow';
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

export const defaultRunOptions: Omit<RunOptions, 'cpuCount' | 'storage' | 'pricing'> = {
  heartbeatTimeoutMs: 10_000,
  maxAttempts: DEFAULT_ATTEMPTS,
  maxChunksPerMap: 1_000,
  poolSlotsPerWorker: 256,
  dispatch: 'auto',
};

export interface MainProgramInput {
  /** The exported function of main.ts to run. */
  entry: string;
  args: unknown[];
  options: RunOptions;
}

export interface MapBatchInput {
  runId: string;
  calls: ChunkCall[];
  width: number;
  options: RunOptions;
}

export const progressQuery = defineQuery<JobProgress[]>('progress');
