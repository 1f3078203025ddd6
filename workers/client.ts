/** The client side of the durable engine: start or attach to a main program's workflow, watch it, get its result. */
import { inspect } from 'node:util';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { ProcessError } from '../mp-shim/errors.js';
import type { JobProgress } from '../mp-shim/transport.js';
import { defaultRunOptions, progressQuery, type MainProgramInput, type RunOptions } from '../workflows/definitions.js';
import type { Endpoints } from './config.js';
import type { Program } from './program.js';

export async function connectClient(endpoints: Endpoints, dataConverter: DataConverter): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: endpoints.temporalAddress, connectTimeout: 5_000 });
  } catch (error) {
    throw new ProcessError(`cannot reach Temporal at ${endpoints.temporalAddress}: ${(error as Error).message} (set TEMPORAL_ADDRESS, or run \`mpflow dev up\`)`);
  }
  return new Client({ connection, namespace: endpoints.temporalNamespace, dataConverter });
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

/** Starts the main program's workflow, or attaches to the open run with the same id. */
export async function startMain(client: Client, { program, entry = 'main', args = [], workflowId, taskQueue, options }: StartRequest): Promise<WorkflowHandle> {
  const input: MainProgramInput = { entry, args, options: { ...defaultRunOptions, ...options } };
  return client.workflow.start('mainProgram', {
    taskQueue: taskQueue ?? program.taskQueue,
    workflowId: workflowId ?? `${program.name}-${crypto.randomUUID().slice(0, 8)}`,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `mpflow run ${program.name} ${entry}(${summarize(args)})`,
  });
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
  return new ProcessError(`the main program failed: ${failure?.message ?? error.message}`, { cause: error });
}

export async function queryProgress(handle: WorkflowHandle): Promise<JobProgress[]> {
  return handle.query(progressQuery);
}
