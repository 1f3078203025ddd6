/**
 * Whether a program's current main.ts can resume a run: the run's history replayed against the
 * code by the SDK's replayer, which fails at the first command the code issues differently.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleProgram } from './bundle.js';
import type { Program } from './program.js';

export type ReplayVerdict = { compatible: true } | { compatible: false; divergence: string };

/** What a replay took: a worker that takes the run over after a crash pays the same before it carries on. */
export interface ReplayCost {
  events: number;
  ms: number;
  /** The most the process's resident memory grew by while replaying. */
  memoryMb: number;
}

/** Replays `history` (a History, or its JSON as `temporal workflow show --output json` writes it) against `program`'s main.ts. */
export async function replayHistory(program: Program, history: unknown, dataConverter: DataConverter, workflowId?: string): Promise<ReplayVerdict> {
  return replay(await bundleProgram(program), program, history, dataConverter, workflowId);
}

/** Like replayHistory, and what the replay took (the bundling of main.ts left out). */
export async function replayWithCost(program: Program, history: temporal.api.history.v1.IHistory, dataConverter: DataConverter, workflowId?: string): Promise<ReplayVerdict & ReplayCost> {
  const bundle = await bundleProgram(program);
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const verdict = await replay(bundle, program, history, dataConverter, workflowId);
    return { ...verdict, events: history.events?.length ?? 0, ms: Math.round(performance.now() - start), memoryMb: Math.round((Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20) };
  } finally {
    clearInterval(sampler);
  }
}

async function replay(workflowBundle: Awaited<ReturnType<typeof bundleProgram>>, program: Program, history: unknown, dataConverter: DataConverter, workflowId?: string): Promise<ReplayVerdict> {
  try {
    await Worker.runReplayHistory({ workflowBundle, dataConverter, replayName: `mpflow replay ${program.name}` }, history, workflowId);
    return { compatible: true };
  } catch (error) {
    if (error instanceof DeterminismViolationError) return { compatible: false, divergence: /message: "(.*?)", source:/.exec(error.message)?.[1] ?? error.message };
    throw error;
  }
}

/** Replays the run `workflowId` (its latest run), as the server holds its history now, against `program`'s main.ts. */
export async function replayRun(client: Client, program: Program, workflowId: string, dataConverter: DataConverter): Promise<ReplayVerdict & ReplayCost> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return replayWithCost(program, history, dataConverter, workflowId);
}
