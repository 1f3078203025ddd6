/**
 * The workflows: a program's main function run durably, and the child that
 * runs one batch of a very large map.
 */
import { ApplicationFailure, CancellationScope, setHandler, workflowInfo } from '@temporalio/workflow';
import * as program from 'mpflow-program';
import { exitFunction } from '../mp-shim/process.js';
import { dumps } from '../mp-shim/serialization.js';
import { installTransportLocator } from '../mp-shim/transport.js';
import { progressQuery, type MainProgramInput, type MapBatchInput } from './definitions.js';
import { WorkflowTransport } from './transport.js';

export async function mainProgram({ entry, args, options }: MainProgramInput): Promise<unknown> {
  const transport = new WorkflowTransport(workflowInfo().workflowId, options);
  installTransportLocator(() => transport);
  setHandler(progressQuery, () => transport.progress());
  try {
    const main = (program as Record<string, unknown>)[entry];
    if (typeof main !== 'function') {
      throw ApplicationFailure.nonRetryable(`the program's main.ts exports no function '${entry}'`, 'ValueError');
    }
    const result = await main(...args);
    await exitFunction();
    dumps(result, `the result of ${entry}()`);
    return result;
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    const cause = error instanceof Error ? error : new Error(String(error));
    // The original error travels as a detail so the client can rethrow it with its class and stack.
    throw ApplicationFailure.create({ message: cause.message, type: cause.name, nonRetryable: true, details: [cause] });
  } finally {
    await CancellationScope.nonCancellable(() => transport.cleanup());
  }
}

export async function mapBatch({ runId, calls, width, options }: MapBatchInput): Promise<Uint8Array> {
  return new WorkflowTransport(runId, options).runBatch(calls, width);
}
