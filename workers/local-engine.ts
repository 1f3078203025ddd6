/** The local engine: the same main program in plain Node, tasks on the local backend, state in Redis. */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { RedisStore } from '../state/store.js';
import { ValueError } from '../mp-shim/errors.js';
import { exitFunction } from '../mp-shim/process.js';
import { installTransport, type Dispatch, type JobProgress } from '../mp-shim/transport.js';
import type { ComputeBackend } from '../compute/backend.js';
import { storageUrl } from './config.js';
import { lambdaPricing } from '../compute/lambda/backend.js';
import { costReport, type CostReport } from '../workflows/definitions.js';
import { LocalEngineTransport } from '../compute/node-transport.js';
import type { Program } from './program.js';

export interface LocalRun {
  program: Program;
  entry?: string;
  args?: unknown[];
  store: RedisStore;
  backend: ComputeBackend;
  onProgress?: (progress: JobProgress[]) => void;
  /** How pools that do not choose dispatch their chunks; default 'auto'. */
  dispatch?: Dispatch;
  /** The run's storage URL (mpflow/fs); default storageUrl(). */
  storage?: string;
  /** Told the run's cost report when its tasks ran on Lambda. */
  onCost?: (cost: CostReport) => void;
}

export async function runLocal<T = unknown>({ program, entry = 'main', args = [], store, backend, onProgress, dispatch = 'auto', storage = storageUrl(), onCost }: LocalRun): Promise<T> {
  const runId = `local-${randomUUID()}`;
  const transport = new LocalEngineTransport(store, backend, { runId, tasksModule: program.tasks, redisUrl: store.url, storage }, dispatch);
  installTransport(transport);
  const ticker = onProgress && setInterval(() => onProgress([...transport.progress.values()]), 500);
  try {
    const module = (await import(pathToFileURL(program.main).href)) as Record<string, unknown>;
    const main = module[entry];
    if (typeof main !== 'function') throw new ValueError(`the program's main.ts exports no function '${entry}'`);
    const result = (await main(...args)) as T;
    await exitFunction();
    return result;
  } finally {
    clearInterval(ticker);
    onProgress?.([...transport.progress.values()]);
    installTransport(undefined);
    const usage = await store.cleanupRun(runId);
    if (usage.invocations > 0) onCost?.(costReport(usage, lambdaPricing()));
  }
}
