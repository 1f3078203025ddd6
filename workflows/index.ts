/**
 * The workflows: a program's main function run durably, and the child that
 * runs one batch of a very large map.
 */
import { ApplicationFailure, CancellationScope, ContinueAsNew, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import * as program from 'mpflow-program';
import { exitFunction } from '../mp-shim/process.js';
import { dumps } from '../mp-shim/serialization.js';
import { installTransportLocator } from '../mp-shim/transport.js';
import { historyQuery, progressQuery, type MainProgramInput, type MapBatchInput } from './definitions.js';
import { WorkflowTransport } from './transport.js';

/**
 * Runs `main(...args)`. A checkpoint ends the run and continues as new with the arguments it
 * names (run + 1); the run's Redis state is removed only when the last run of the chain ends.
 */
export async function mainProgram({ entry, args, options, run = 1 }: MainProgramInput): Promise<unknown> {
  const next = makeContinueAsNewFunc<typeof mainProgram>({ memo: { run: run + 1 } });
  const transport = new WorkflowTransport(workflowInfo().workflowId, options, (nextArgs) => next({ entry, args: nextArgs, options, run: run + 1 }));
  installTransportLocator(() => transport);
  setHandler(progressQuery, () => transport.progress());
  setHandler(historyQuery, () => ({ run, ...transport.history() }));
  let continued = false;
  try {
    const main = (program as Record<string, unknown>)[entry];
    if (typeof main !== 'function') {
      throw ApplicationFailure.nonRetryable(`the program's main.ts exports no function '${entry}'`, 'ValueError');
    }
    const result = await Promise.race([main(...args), transport.interrupted]);
    await exitFunction();
    await transport.flush();
    dumps(result, `the result of ${entry}()`);
    return result;
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    if (error instanceof ContinueAsNew) {
      continued = true;
      throw error;
    }
    const cause = error instanceof Error ? error : new Error(String(error));
    // The original error travels as a detail so the client can rethrow it with its class and stack.
    throw ApplicationFailure.create({ message: cause.message, type: cause.name, nonRetryable: true, details: [cause] });
  } finally {
    if (!continued) await CancellationScope.nonCancellable(() => transport.cleanup());
  }
}

export async function mapBatch({ runId, calls, width, options }: MapBatchInput): Promise<Uint8Array> {
  return new WorkflowTransport(runId, options).runBatch(calls, width);
}
