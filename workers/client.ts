/** The client side of the durable engine: start or attach to a main program's workflow, watch it, get its result. */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type DataConverter, type WorkerDeploymentVersion } from '@temporalio/common';
import protos from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { ProcessError, rebuildableErrors, SetupError } from '../mp-shim/errors.js';
import type { JobProgress } from '../mp-shim/transport.js';
import { defaultRunOptions, HISTORY_SHARES, historyQuery, historyReport, historyShare, progressQuery, type HistoryUse, type MainProgramInput, type RunOptions } from '../workflows/definitions.js';
import type { Endpoints } from './config.js';
import type { Program } from './program.js';
import { setupProblem, temporalReached } from '../mp-shim/setup-problems.js';
import { codeVersion } from './version.js';

/** A page of a long run's history outgrows gRPC's default 4 MiB (11 MB measured, at 20,000 events), and replay and upgrade read it whole. */
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export async function connectClient(endpoints: Endpoints, dataConverter: DataConverter): Promise<Client> {
  const connection = Connection.lazy({ address: endpoints.temporalAddress, ...endpoints.temporalSecurity, connectTimeout: 5_000, channelArgs: { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES } });
  try {
    await connection.ensureConnected();
  } catch (error) {
    // The SDK leaves the channel of a connection that failed open: nothing of it outlives the error.
    await connection.close();
    throw unreachable(endpoints, error);
  }
  // A closed run's queries are refused by the server: answering one would replay its whole history on a worker.
  return new Client({ connection, namespace: endpoints.temporalNamespace, dataConverter, workflow: { queryRejectCondition: 'NOT_OPEN' } });
}

/** A worker's connection to the Temporal of `endpoints`, or a SetupError saying why there is none. */
export async function connectWorker(endpoints: Endpoints): Promise<NativeConnection> {
  return NativeConnection.connect({ address: endpoints.temporalAddress, ...endpoints.temporalSecurity }).catch((error: unknown) => {
    throw unreachable(endpoints, error);
  });
}

function unreachable(endpoints: Endpoints, error: unknown): SetupError {
  const secured = endpoints.temporalSecurity?.tls ? ' over TLS (TEMPORAL_TLS, TEMPORAL_API_KEY or a profile turned it on)' : '';
  return new SetupError(`cannot reach Temporal at ${endpoints.temporalAddress}${secured}: ${(error as Error).message} (set TEMPORAL_ADDRESS, or run \`mpflow dev up\`)`);
}

export interface StartRequest {
  program: Program;
  entry?: string;
  args?: unknown[];
  workflowId?: string;
  taskQueue?: string;
  /** The run's options; what the configuration decides (parallelism, storage, pricing) must be given. */
  options: Partial<RunOptions> & Pick<RunOptions, 'cpuCount' | 'storage' | 'pricing'>;
}

/** How long a start waits for a worker of the program's code to poll its task queue: one may be starting. */
const WORKER_WAIT_MS = 15_000;

/**
 * Starts the main program's workflow pinned to the program's code version (only workers of
 * that code take its tasks), or attaches to the open run with the same id.
 */
export async function startMain(client: Client, { program, entry = 'main', args = [], workflowId, taskQueue = program.taskQueue, options }: StartRequest): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const input: MainProgramInput = { entry, args, options: { ...defaultRunOptions, ...options } };
  const { deploymentName, buildId } = await codeVersion(program, taskQueue);
  const start = () =>
    client.workflow.start('mainProgram', {
      taskQueue,
      workflowId: workflowId ?? `${program.name}-${crypto.randomUUID().slice(0, 8)}`,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      versioningOverride: { pinnedTo: { deploymentName, buildId } },
      staticSummary: `mpflow run ${program.name} ${entry}(${summarize(args)})`,
    }).catch((error: unknown) => {
      throw setupProblem(error, temporalReached(client.options.namespace)) ?? error;
    });
  return whenAWorkerRuns({ program, deploymentName, buildId }, start, 'or run without --no-worker');
}

/** Moves the open run `workflowId` to `version` of `program`'s code. */
export async function pinRun(client: Client, workflowId: string, program: Program, version: WorkerDeploymentVersion): Promise<void> {
  const pinned = protos.temporal.api.workflow.v1.VersioningOverride.PinnedOverrideBehavior.PINNED_OVERRIDE_BEHAVIOR_PINNED;
  await whenAWorkerRuns({ program, ...version }, () =>
    client.workflowService.updateWorkflowExecutionOptions({
      namespace: client.options.namespace,
      workflowExecution: { workflowId },
      workflowExecutionOptions: { versioningOverride: { pinned: { behavior: pinned, version } } },
      updateMask: { paths: ['versioning_override'] },
    }),
  );
}

/** `pin()` (a run pinned to a version), retried until a worker of that version has polled its task queue: one may be starting. */
async function whenAWorkerRuns<T>({ program, deploymentName, buildId }: WorkerDeploymentVersion & { program: Program }, pin: () => Promise<T>, otherwise = ''): Promise<T> {
  for (const deadline = Date.now() + WORKER_WAIT_MS; ; await sleep(250)) {
    try {
      return await pin();
    } catch (error) {
      if (!versionAbsent(error)) throw error;
      if (Date.now() > deadline) {
        throw new ProcessError(`no worker with this code of ${program.name} (version ${buildId}) polls task queue ${deploymentName}: start \`mpflow worker ${program.dir}\` from this code${otherwise && `, ${otherwise}`}`);
      }
    }
  }
}

/** The server's answer to a run pinned to a version no worker of the task queue has declared yet. */
function versionAbsent(error: unknown): boolean {
  for (let cause = error as { message?: string; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (/Pinned version .* is not present in task queue/.test(cause.message ?? '')) return true;
  }
  return false;
}

const SUMMARY_LENGTH = 120;

/** The arguments as one short line for the Web UI. */
function summarize(args: unknown[]): string {
  const text = args.map((arg) => inspect(arg, { breakLength: Infinity, depth: 1, maxArrayLength: 5 })).join(', ');
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

/** The main program's return value; its exception rethrown with the class and stack it had. */
export async function mainResult<T = unknown>(handle: WorkflowHandle): Promise<T> {
  try {
    return (await handle.result()) as T;
  } catch (error) {
    throw unwrapFailure(error);
  }
}

export function unwrapFailure(error: unknown): Error {
  if (!(error instanceof WorkflowFailedError)) return error as Error;
  const failure = error.cause as (Error & { details?: unknown[] }) | undefined;
  const original = failure?.details?.[0];
  if (original instanceof Error) return original;
  // mpflow's own refusals (no such entry function) keep their class, and so print as one line.
  const Refusal = failure instanceof ApplicationFailure && failure.type ? rebuildableErrors.get(failure.type) : undefined;
  if (Refusal) return Object.assign(new Refusal(failure!.message), { cause: error });
  if (failure instanceof CancelledFailure) return new ProcessError('the run was cancelled: the main program stopped where it was, and the run cleaned up', { cause: error });
  return new ProcessError(`the main program failed: ${failure?.message ?? error.message}`, { cause: error });
}

/** The progress of the open run's maps; a closed run's is in its memo (`finalProgress`). */
export async function queryProgress(handle: WorkflowHandle): Promise<JobProgress[]> {
  return handle.query(progressQuery);
}

/** The open run's place in its chain and the history it has used. */
export async function queryHistory(handle: WorkflowHandle): Promise<HistoryUse> {
  return handle.query(historyQuery);
}

/** The report of a run's history past the warning share of its limit, else undefined. */
export function historyWarning(use: HistoryUse): string | undefined {
  return historyShare(use) >= HISTORY_SHARES.warn ? `${historyReport(use)}; it fails at ${HISTORY_SHARES.fail * 100} %` : undefined;
}
