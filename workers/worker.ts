/**
 * The Temporal worker for a program: its main.ts bundled as workflow code, the
 * activities that run its tasks and shared-state operations, and the data
 * converter (mpflow's codec, large payloads by claim check).
 */
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities/index.js';
import type { RedisStore } from '../state/store.js';
import { ProcessError } from '../mp-shim/errors.js';
import { ClaimCheckCodec, claimStore } from './claim-check.js';
import type { ComputeBackend } from '../compute/backend.js';
import { ownModule } from '../compute/own-modules.js';
import type { Config } from './config.js';
import type { Program } from './program.js';

export const payloadConverterPath = ownModule('../workflows/payload-converter.ts', import.meta.url);
const workflowsPath = ownModule('../workflows/index.ts', import.meta.url);
const mpShimPath = ownModule('../mp-shim/index.ts', import.meta.url);
const mpShimFsPath = ownModule('../mp-shim/fs/index.ts', import.meta.url);

/** Shared activities may wait on Redis or the backend; they cost a promise each, not a thread. */
const MAX_CONCURRENT_ACTIVITIES = 2_000;

/** mpflow's codec for payloads, large ones kept aside by claim check (MPFLOW_CLAIM_CHECK). */
export function dataConverter(config: Config, store: RedisStore): DataConverter {
  return { payloadConverterPath, payloadCodecs: [new ClaimCheckCodec(claimStore(config, store))] };
}

const bundles = new Map<string, Promise<WorkflowBundle>>();

/** Bundles main.ts into the workflow sandbox once per process; `mpflow` resolves to this package's mp-shim. */
export function bundleProgram(program: Program): Promise<WorkflowBundle> {
  let bundle = bundles.get(program.main);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      payloadConverterPath,
      logger: quietBundlerLogger,
      webpackConfigHook: (config) => {
        config.resolve ??= {};
        config.resolve.alias = { ...(config.resolve.alias as object), 'mpflow-program$': program.main, mpflow$: mpShimPath, 'mpflow/fs$': mpShimFsPath };
        return config;
      },
    }).catch((error: Error) => {
      bundles.delete(program.main);
      throw new ProcessError(`cannot bundle ${program.main} as workflow code: ${error.message}`, { cause: error });
    });
    bundles.set(program.main, bundle);
  }
  return bundle;
}

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  namespace: string;
  program: Program;
  store: RedisStore;
  backend: ComputeBackend;
  /** Overrides the program's own task queue (tests isolate runs this way). */
  taskQueue?: string;
}

export async function createWorker({ config, connection, namespace, program, store, backend, taskQueue }: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? program.taskQueue,
    workflowBundle: await bundleProgram(program),
    activities: createActivities({ store, backend, tasksModule: program.tasks, lockLeaseMs: config.lockLeaseMs }),
    dataConverter: dataConverter(config, store),
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: MAX_CONCURRENT_ACTIVITIES,
  });
}

/** The bundler logs every build at info level; mpflow prints only its warnings and errors. */
const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: object) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: object) => console.error(message, meta ?? ''),
};
