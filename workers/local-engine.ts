/** The local engine: the same main program in plain Node, tasks on the compute backend, state in Redis. */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { ComputeBackend, RunContext } from '../compute/backend.js';
import { resolveMpflowToThisCopy } from '../compute/own-modules.js';
import { costReport, type CostReport, type Pricing } from '../compute/lambda/cost.js';
import { NodeTransport, runWithTransport } from '../compute/node-transport.js';
import { hostPoolWorkers } from '../compute/pool-worker.js';
import { runWithRetries } from '../compute/retry.js';
import { ProcessError, ValueError } from '../mp-shim/errors.js';
import { exitFunction } from '../mp-shim/process.js';
import { MAIN_PROCESS, type ChunkCall, type Dispatch, type JobProgress, type Launch, type PoolSpec, type PoolWorkers } from '../mp-shim/transport.js';
import type { OutputLine, RedisStore } from '../state/store.js';
import { followOutput } from '../state/task-output.js';
import type { Program } from './program.js';

/** Lease of a chunk claimed by the local engine's pool worker (renewed every second while it runs). */
const LOCAL_CHUNK_LEASE_MS = 10_000;

/** Where the library's warnings go: stderr unless the caller says otherwise. */
export type Warn = (message: string, error?: unknown) => void;

export const warnOnStderr: Warn = (message, error) => console.error(`mpflow: ${message}`, error ?? '');

/** The main program under the local engine: plain Node, no Temporal. */
class LocalEngineTransport extends NodeTransport {
  readonly engine = 'local';
  /** The main program's locks have no lease: when it dies the run is over. */
  readonly lockLeaseMs = 0;

  constructor(
    store: RedisStore,
    private readonly backend: ComputeBackend,
    private readonly context: RunContext,
    override readonly dispatch: Dispatch,
    readonly warn: Warn,
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
    const result = runWithRetries(this.backend, call, this.context, controller.signal);
    // No attempt of the chunk starts after this: its records may go, without holding up its result.
    const forget = () => this.store.forgetChunk(this.runId, call.id).catch((error: Error) => this.warn(`could not drop the records of ${call.summary}`, error));
    void result.then(forget, forget);
    return {
      result,
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

export interface LocalRun {
  program: Program;
  entry?: string;
  args?: unknown[];
  store: RedisStore;
  backend: ComputeBackend;
  /** The run's storage URL (mpflow/fs): workers/config.ts's storageUrl(). */
  storage: string;
  /** Lease of locks taken in tasks. */
  lockLeaseMs: number;
  /** Rates of the cost report, when tasks ran on Lambda. */
  pricing: Pricing;
  onProgress?: (progress: JobProgress[]) => void;
  /** Told each line the run's tasks write, as they write it. */
  onOutput?: (line: OutputLine) => void;
  /** How pools that do not choose dispatch their chunks; default 'auto'. */
  dispatch?: Dispatch;
  /** Told the run's cost report when its tasks ran on Lambda. */
  onCost?: (cost: CostReport) => void;
  warn?: Warn;
}

export async function runLocal<T = unknown>({ program, entry = 'main', args = [], store, backend, storage, lockLeaseMs, pricing, onProgress, onOutput, dispatch = 'auto', onCost, warn = warnOnStderr }: LocalRun): Promise<T> {
  const runId = `local-${randomUUID()}`;
  const context: RunContext = { runId, tasksModule: program.tasks, redisUrl: store.url, storage, lockLeaseMs, timeline: false };
  const transport = new LocalEngineTransport(store, backend, context, dispatch, warn);
  const ticker = onProgress && setInterval(() => onProgress([...transport.progress.values()]), 500);
  const stopFollowing = onOutput && followOutput(store.output, runId, onOutput, warn);
  try {
    return await runWithTransport(transport, async () => {
      resolveMpflowToThisCopy();
      const module = (await import(pathToFileURL(program.main).href)) as Record<string, unknown>;
      const main = module[entry];
      if (typeof main !== 'function') throw new ValueError(`the program's main.ts exports no function '${entry}'`);
      const result = (await main(...args)) as T;
      await exitFunction();
      return result;
    });
  } finally {
    clearInterval(ticker);
    onProgress?.([...transport.progress.values()]);
    await stopFollowing?.();
    // A local run has no id to ask `mpflow logs` for: its tasks' output goes with it.
    await store.output.remove(runId);
    const usage = await store.cleanupRun(runId);
    if (usage.invocations > 0) onCost?.(costReport(usage, pricing));
  }
}
