/**
 * The Temporal worker for a program: its main.ts bundled as workflow code, the
 * activities that run its tasks and shared-state operations, and the data
 * converter (mpflow's codec, large payloads by claim check). The worker declares
 * its code version: it takes only the runs started with that code.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities/index.js';
import type { RedisStore } from '../state/store.js';
import { ClaimCheckCodec, claimStore } from './claim-check.js';
import type { ComputeBackend } from '../compute/backend.js';
import { bundleProgram, payloadConverterPath } from './bundle.js';
import type { Config } from './config.js';
import type { Program } from './program.js';
import { codeVersion } from './version.js';

/** Shared activities may wait on Redis or the backend; they cost a promise each, not a thread. */
const MAX_CONCURRENT_ACTIVITIES = 2_000;

/** mpflow's codec for payloads, large ones kept aside by claim check (MPFLOW_CLAIM_CHECK). */
export function dataConverter(config: Config, store: RedisStore): DataConverter {
  return { payloadConverterPath, payloadCodecs: [new ClaimCheckCodec(claimStore(config, store))] };
}

let runtimeInstalled = false;

/**
 * The process's Temporal runtime, once: its logger on stderr at the configured level, and
 * Core's own warnings forwarded to it (printed by Core they would go to stdout, which carries
 * only results).
 */
export function installRuntime(config: Config): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN'), telemetryOptions: { logging: { forward: {} } } });
  runtimeInstalled = true;
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

export async function createWorker({ config, connection, namespace, program, store, backend, taskQueue = program.taskQueue }: WorkerDeps): Promise<Worker> {
  const { deploymentName, buildId } = await codeVersion(program, taskQueue);
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workerDeploymentOptions: { version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },
    workflowBundle: await bundleProgram(program),
    activities: createActivities({ store, backend, tasksModule: program.tasks, lockLeaseMs: config.lockLeaseMs }),
    dataConverter: dataConverter(config, store),
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: MAX_CONCURRENT_ACTIVITIES,
  });
}
