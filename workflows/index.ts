/**
 * The workflows: a program's main function run durably, the child that runs one
 * batch of a very large map, and the one that runs a Process.
 */
import { ApplicationFailure, CancellationScope, CancelledFailure, ContinueAsNew, getExternalWorkflowHandle, isCancellation, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import * as program from 'mpflow-program';
import { exitFunction } from '../mp-shim/process.js';
import { dumps } from '../mp-shim/serialization.js';
import { installTransportLocator } from '../mp-shim/transport.js';
import { historyQuery, processExitedSignal, progressQuery, type MainProgramInput, type MapBatchInput, type ProcessRunInput } from './definitions.js';
import { WorkflowTransport } from './transport.js';

/**
 * Runs `main(...args)`. A checkpoint ends the run and continues as new with the arguments it
 * names (run + 1); the run's Redis state is removed only when the last run of the chain ends.
 * Cancelled, the run stops where the main program is and ends as cancelled once it has cleaned
 * up: the program's pending operations are not cancelled one by one, which would reject
 * promises the program does not await.
 */
export async function mainProgram({ entry, args, options, run = 1, processes = {} }: MainProgramInput): Promise<unknown> {
  const next = makeContinueAsNewFunc<typeof mainProgram>({ memo: { run: run + 1 } });
  const transport = new WorkflowTransport(workflowInfo().workflowId, options, {
    continueAsNew: (nextArgs, running) => next({ entry, args: nextArgs, options, run: run + 1, processes: running }),
    processes,
  });
  installTransportLocator(() => transport);
  setHandler(progressQuery, () => transport.progress());
  setHandler(historyQuery, () => ({ run, ...transport.history() }));
  setHandler(processExitedSignal, (launchId, outcome) => transport.processExited(launchId, outcome));
  CancellationScope.current().cancelRequested.catch((reason: unknown) => transport.end(reason));
  let continued = false;
  try {
    const main = (program as Record<string, unknown>)[entry];
    if (typeof main !== 'function') {
      throw ApplicationFailure.nonRetryable(`the program's main.ts exports no function '${entry}'`, 'ValueError');
    }
    const result = await Promise.race([
      CancellationScope.nonCancellable(async () => {
        const returned = await main(...args);
        await exitFunction();
        await transport.flush();
        return returned;
      }),
      transport.interrupted,
    ]);
    dumps(result, `the result of ${entry}()`);
    return result;
  } catch (error) {
    if (error instanceof ApplicationFailure || isCancellation(error)) throw error;
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

/**
 * Runs a durable main program's Process, outside the main program's run so that it goes on
 * through checkpoints, and tells the chain's current run how it ended. Stopped by the main
 * program (terminate, kill), it ends as cancelled.
 */
export async function processRun({ runId, call, options }: ProcessRunInput): Promise<void> {
  const outcome = await new WorkflowTransport(runId, options).runProcess(call);
  // The chain may have ended meanwhile: then nobody is left to hear of it.
  await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(runId).signal(processExitedSignal, call.id, outcome)).catch(() => {});
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure(`${call.summary} was stopped by its main program`);
}
