/** What the CLI prints: JSON that survives BigInt, Map, Set and typed arrays, and progress lines. */
import type { CostReport } from '../compute/lambda/cost.js';
import type { JobProgress } from '../mp-shim/transport.js';
import { historyShare, type HistoryUse } from '../workflows/definitions.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    return v;
  });
}

const BAR_WIDTH = 30;

export function progressLine({ job, task, chunks, done, failed }: JobProgress): string {
  const filled = chunks === 0 ? BAR_WIDTH : Math.round((done / chunks) * BAR_WIDTH);
  return `${task} (job ${job}) [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${chunks} chunks${failed ? `, ${failed} failed` : ''}`;
}

/** `cost: 200 Lambda invocations, 12.4 GB-s billed, 3,120 Redis commands ≈ $0.000247 (at $0.0000166667/GB-s, $0.0000002/request)` */
export function costLine(cost: CostReport): string {
  const { perGbSecond, perRequest } = cost.pricing;
  return `cost: ${cost.invocations.toLocaleString('en')} Lambda invocations, ${cost.billedGbSeconds.toFixed(1)} GB-s billed, ${cost.redisCommands.toLocaleString('en')} Redis commands ≈ $${cost.estimatedUsd.toFixed(6)} (at $${perGbSecond}/GB-s, $${perRequest}/request)`;
}

/** `run 3 of the chain (2 checkpoints), history 1,210 events, 0.4 MB: 4 % of its limit` */
export function historyLine(use: HistoryUse): string {
  const checkpoints = use.run - 1;
  return `run ${use.run} of the chain (${checkpoints} checkpoint${checkpoints === 1 ? '' : 's'}), history ${use.events.toLocaleString('en')} events, ${(use.bytes / 1e6).toFixed(1)} MB: ${Math.round(historyShare(use) * 100)} % of its limit`;
}

/** A run as `mpflow list` shows it. */
export interface ListedRun {
  workflowId: string;
  program: string;
  status: string;
  run: number;
  startTime: Date;
  durationMs: number;
  progress?: { chunks: number; done: number; failed: number };
  costUsd?: number;
}

/** `mpflow list` as a table: one line per run, newest first. */
export function runsTable(runs: ListedRun[]): string {
  if (runs.length === 0) return 'no runs';
  const header = ['workflow id', 'program', 'status', 'run', 'started (UTC)', 'duration', 'progress', 'cost'];
  const rows = runs.map((run) => [
    run.workflowId,
    run.program,
    run.status.toLowerCase(),
    String(run.run),
    run.startTime.toISOString().replace('T', ' ').slice(0, 19),
    `${(run.durationMs / 1000).toFixed(1)} s`,
    run.progress ? `${run.progress.done}/${run.progress.chunks} chunks${run.progress.failed ? `, ${run.progress.failed} failed` : ''}` : '—',
    run.costUsd === undefined ? '—' : `$${run.costUsd.toFixed(6)}`,
  ]);
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
