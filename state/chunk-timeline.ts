/**
 * When each chunk of a run ran, on which worker and slot, and how it ended, kept per run in a
 * Redis stream beside its output (and as long): what `mpflow plot` draws. A run that started
 * and never ended (its worker died, or it was a straggler copy that lost) has no end.
 */
import type { StoreCore } from './core.js';
import { runTimelineKey } from './keys.js';

export interface ChunkRunEvent {
  chunk: string;
  /** `slot 3` of a pool, or a Process's name. */
  slot: string;
  /** The process that ran it: host and pid (and thread). */
  worker: string;
  /** When it started, and identifies the run with `worker` and `slot`. */
  start: number;
  queuedAt?: number;
  /** Present once it ended. */
  end?: number;
  ok?: boolean;
}

const TIMELINE_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** Stream entries kept: each is a batch of events, of one run, from one recorder. */
const TIMELINE_KEPT_BATCHES = 20_000;

export class ChunkTimeline {
  constructor(private readonly core: StoreCore) {}

  /** One stream entry per run in `events`: a batch costs one command, not one per chunk. */
  async append(events: { runId: string; event: ChunkRunEvent }[]): Promise<void> {
    const byRun = new Map<string, ChunkRunEvent[]>();
    for (const { runId, event } of events) {
      const batch = byRun.get(runId);
      if (batch) batch.push(event);
      else byRun.set(runId, [event]);
    }
    const pipeline = this.core.redis.pipeline();
    for (const [runId, batch] of byRun) {
      const key = runTimelineKey(runId);
      pipeline.xadd(key, 'MAXLEN', '~', TIMELINE_KEPT_BATCHES, '*', 'events', JSON.stringify(batch)).pexpire(key, TIMELINE_KEPT_MS);
    }
    for (const [error] of (await pipeline.exec())!) if (error) throw error;
  }

  async read(runId: string): Promise<ChunkRunEvent[]> {
    const events: ChunkRunEvent[] = [];
    for (let after = '-'; ; ) {
      const entries = await this.core.redis.xrange(runTimelineKey(runId), after, '+', 'COUNT', 1_000);
      for (const [, fields] of entries) events.push(...(JSON.parse(fields[1]) as ChunkRunEvent[]));
      if (entries.length < 1_000) return events;
      after = `(${entries.at(-1)![0]}`;
    }
  }
}
