/**
 * The Temporal worker for a program: its main.ts bundled as workflow code, the
 * activities that run its tasks and shared-state operations, and the data
 * converter (mpflow's codec, large payloads by claim check). The worker declares
 * its code version: it takes only the runs started with that code.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities/index.js';
import type { RedisStore } from '../state/store.js';
import { ClaimCheckCodec, claimStore } from './claim-check.js';
import { EncryptionCodec } from './encryption-codec.js';
import type { ComputeBackend } from '../compute/backend.js';
import { bundleProgram, payloadConverterPath } from './bundle.js';
import type { Config } from './config.js';
import { OneLineLogger } from './log.js';
import { setupProblem, temporalReached } from '../mp-shim/setup-problems.js';
import type { Program } from './program.js';
import { codeVersion } from './version.js';

/** Shared activities may wait on Redis or the backend; they cost a promise each, not a thread. */
const MAX_CONCURRENT_ACTIVITIES = 2_000;

/** mpflow's codecs for payloads: encrypted when a key is configured (MPFLOW_ENCRYPTION_KEY), then large ones kept aside by claim check (MPFLOW_CLAIM_CHECK). */
export function dataConverter(config: Config, store: RedisStore): DataConverter {
  return { payloadConverterPath, payloadCodecs: [new EncryptionCodec(config.cipher), new ClaimCheckCodec(claimStore(config, store))] };
}

let runtimeInstalled = false;

/**
 * The process's Temporal runtime, once: its logger prints one line per event on stderr, and
 * Core's own logs are forwarded to it (printed by Core they would go to stdout, which carries
 * only results).
 */
export function installRuntime(config: Config): void {
  if (runtimeInstalled) return;
  const debug = config.logLevel === 'debug';
  Runtime.install({ logger: new OneLineLogger(config.logLevel), telemetryOptions: { logging: { forward: {}, filter: debug ? 'DEBUG' : 'WARN' } } });
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
  const notServed = (error: unknown) => setupProblem(error, temporalReached(namespace)) ?? error;
  // Before the seconds of bundling: a namespace that does not exist fails at once.
  await connection.workflowService.describeNamespace({ namespace }).catch((error: unknown) => {
    throw notServed(error);
  });
  const { deploymentName, buildId } = await codeVersion(program, taskQueue);
  const created = Worker.create({
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
  return created.catch((error: unknown) => {
    throw notServed(error);
  });
}
