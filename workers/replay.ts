/**
 * Whether a program's current main.ts can resume a run: the run's history replayed against the
 * code by the SDK's replayer, which fails at the first command the code issues differently.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleProgram } from './bundle.js';
import type { Program } from './program.js';

export type ReplayVerdict = { compatible: true } | { compatible: false; divergence: string };

/** Replays `history` (a History, or its JSON as `temporal workflow show --output json` writes it) against `program`'s main.ts. */
export async function replayHistory(program: Program, history: unknown, dataConverter: DataConverter, workflowId?: string): Promise<ReplayVerdict> {
  try {
    await Worker.runReplayHistory({ workflowBundle: await bundleProgram(program), dataConverter, replayName: `mpflow replay ${program.name}` }, history, workflowId);
    return { compatible: true };
  } catch (error) {
    if (error instanceof DeterminismViolationError) return { compatible: false, divergence: /message: "(.*?)", source:/.exec(error.message)?.[1] ?? error.message };
    throw error;
  }
}

/** Replays the run `workflowId`, as the server holds its history now, against `program`'s main.ts. */
export async function replayRun(client: Client, program: Program, workflowId: string, dataConverter: DataConverter): Promise<ReplayVerdict> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return replayHistory(program, history, dataConverter, workflowId);
}
