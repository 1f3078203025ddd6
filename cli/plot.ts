/**
 * `mpflow plot`: a run's timeline as the study's figures and Lithops' plot() draw it — a bar
 * per chunk run on its worker's slot over time, coloured by how it went — above it how many
 * chunks waited in the queue, and below it a histogram of the chunks' run times.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChunkRunEvent } from '../state/store.js';

export type RunState = 'done' | 'running' | 'retried' | 'straggler copy' | 'outrun by its copy' | 'failed';

export interface TimelineBar {
  lane: string;
  chunk: string;
  /** Seconds from the run's first event. */
  from: number;
  to: number;
  state: RunState;
}

export interface Timeline {
  bars: TimelineBar[];
  /** How many chunks were queued and not yet started, after each change. */
  waiting: { at: number; chunks: number }[];
}

/** Each chunk run as a bar, and the queue's length over time (a chunk waits from its queueing to its first run). */
export function timelineOf(events: ChunkRunEvent[]): Timeline {
  const runs = new Map<string, ChunkRunEvent>();
  for (const event of events) {
    const key = `${event.chunk}|${event.worker}|${event.slot}|${event.start}`;
    runs.set(key, { ...runs.get(key), ...event });
  }
  const ordered = [...runs.values()].sort((a, b) => a.start - b.start);
  const origin = Math.min(...ordered.map((run) => Math.min(run.queuedAt ?? run.start, run.start)));
  const last = Math.max(...ordered.map((run) => run.end ?? run.start));
  const seconds = (ms: number) => (ms - origin) / 1000;
  const byChunk = new Map<string, ChunkRunEvent[]>();
  for (const run of ordered) {
    const attempts = byChunk.get(run.chunk);
    if (attempts) attempts.push(run);
    else byChunk.set(run.chunk, [run]);
  }
  const bars: TimelineBar[] = [];
  const queueChanges: [at: number, change: number][] = [];
  for (const [chunk, attempts] of byChunk) {
    const first = attempts[0];
    if (first.queuedAt !== undefined) queueChanges.push([seconds(first.queuedAt), 1], [seconds(first.start), -1]);
    attempts.forEach((run, i) => {
      const later = attempts.slice(i + 1);
      // A run that never ended died with its worker: what started after it is its retry, not a copy.
      const copy = attempts.slice(0, i).some((earlier) => earlier.end !== undefined && run.start < earlier.end);
      const state: RunState = copy
        ? 'straggler copy'
        : run.ok
          ? 'done'
          : run.end === undefined
            ? later.length > 0
              ? 'retried'
              : 'running'
            : later.some((other) => other.ok && other.start < run.end!)
              ? 'outrun by its copy'
              : later.length > 0
                ? 'retried'
                : 'failed';
      bars.push({ lane: `${run.worker} · ${run.slot}`, chunk, from: seconds(run.start), to: seconds(run.end ?? last), state });
    });
  }
  let queued = 0;
  const waiting = new Map<number, number>();
  for (const [at, change] of queueChanges.sort(([a], [b]) => a - b)) waiting.set(at, (queued += change));
  return { bars, waiting: [...waiting].map(([at, chunks]) => ({ at, chunks })) };
}

const COLORS: Record<RunState, string> = { done: '#4c78a8', running: '#9ecae9', retried: '#f58518', 'straggler copy': '#54a24b', 'outrun by its copy': '#bab0ac', failed: '#e45756' };
export const RUN_STATES = Object.keys(COLORS) as RunState[];

export function timelineChart(workflowId: string, { bars, waiting }: Timeline): TopLevelSpec {
  const lanes = new Set(bars.map((bar) => bar.lane)).size;
  const end = Math.max(...bars.map((bar) => bar.to), ...waiting.map(({ at }) => at));
  const time = { type: 'quantitative', title: 'seconds since the first chunk was queued', scale: { domain: [0, end] } };
  return {
    title: `${workflowId}: ${bars.length} chunk runs on ${lanes} slots`,
    vconcat: [
      {
        width: 760,
        height: 80,
        title: 'chunks waiting in the queue',
        data: { values: waiting },
        mark: { type: 'area', interpolate: 'step-after', color: '#bab0ac' },
        encoding: { x: { field: 'at', ...time, title: null }, y: { field: 'chunks', type: 'quantitative', title: null, stack: null } },
      },
      {
        width: 760,
        height: Math.min(Math.max(lanes * 14, 120), 900),
        data: { values: bars },
        mark: { type: 'bar', cornerRadius: 1 },
        encoding: {
          y: { field: 'lane', type: 'nominal', title: null, sort: 'ascending', axis: { labelLimit: 260 } },
          x: { field: 'from', ...time },
          x2: { field: 'to' },
          color: { field: 'state', type: 'nominal', title: null, scale: { domain: Object.keys(COLORS), range: Object.values(COLORS) } },
          stroke: { value: 'white' },
          tooltip: [{ field: 'chunk' }, { field: 'state' }],
        },
      },
      {
        width: 760,
        height: 160,
        title: 'chunk run times (done)',
        data: { values: bars.filter((bar) => bar.state === 'done').map((bar) => ({ seconds: bar.to - bar.from })) },
        mark: 'bar',
        encoding: {
          x: { field: 'seconds', type: 'quantitative', bin: { maxbins: 30 }, title: 'seconds' },
          y: { aggregate: 'count', type: 'quantitative', title: 'chunks' },
        },
      },
    ],
  } as TopLevelSpec;
}
