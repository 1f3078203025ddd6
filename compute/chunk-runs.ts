/**
 * Records when each chunk ran, on which worker and slot, and how it ended, in its run's
 * timeline (what `mpflow plot` draws). What ended within SENT_WITHIN_MS is sent then, one
 * event per run and one stream entry per batch; a run still going then is announced by its
 * start, so that a worker dying mid-chunk still shows where the chunk was.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loads } from '../mp-shim/serialization.js';
import type { ChunkCall, Outcome } from '../mp-shim/transport.js';
import type { ChunkRunEvent, RedisStore } from '../state/store.js';
import type { RunContext } from './backend.js';

const SENT_WITHIN_MS = 200;

interface Recorded {
  runId: string;
  event: ChunkRunEvent;
}

export class ChunkRunRecorder {
  readonly #worker = `${hostname()}:${process.pid}`;
  readonly #ended: Recorded[] = [];
  /** Runs going on, and whether their start was sent. */
  readonly #running = new Map<Recorded, boolean>();
  #sending?: Promise<void>;

  constructor(private readonly store: RedisStore) {}

  /** Runs a chunk by `run` (its result `dumps(Outcome)`), recording its start and its end when its run keeps a timeline. */
  record({ runId, timeline = true }: RunContext, call: ChunkCall, run: () => Promise<Uint8Array>): Promise<Uint8Array> {
    return timeline ? this.#recorded(runId, call, run) : run();
  }

  async #recorded(runId: string, call: ChunkCall, run: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const { summary: chunk, queuedAt } = call;
    const slot = call.process?.name ?? `slot ${(call.slot?.index ?? 0) + 1}`;
    const start = Date.now();
    const started: Recorded = { runId, event: { chunk, slot, worker: this.#worker, start, queuedAt } };
    this.#running.set(started, false);
    this.#sending ??= sleep(SENT_WITHIN_MS, undefined, { ref: false }).then(() => this.#send());
    let ok = false;
    try {
      const outcome = await run();
      ok = succeeded(outcome);
      return outcome;
    } finally {
      this.#running.delete(started);
      // Built field by field: an object spread here costs more than the rest of the recording.
      this.#ended.push({ runId, event: { chunk, slot, worker: this.#worker, start, queuedAt, end: Date.now(), ok } });
    }
  }

  /** Sends what is recorded now (before the process ends, or a Lambda invocation returns). */
  async sent(): Promise<void> {
    await this.#sending;
    await this.#send();
  }

  async #send(): Promise<void> {
    this.#sending = undefined;
    const batch = this.#ended.splice(0);
    for (const [started, announced] of this.#running) {
      if (!announced) batch.push(started);
      this.#running.set(started, true);
    }
    if (this.#running.size > 0) this.#sending = sleep(SENT_WITHIN_MS, undefined, { ref: false }).then(() => this.#send());
    if (batch.length === 0) return;
    // The timeline is for looking at a run afterwards: losing part of it must not fail the chunk.
    await this.store.timeline.append(batch).catch((error: Error) => process.stderr.write(`mpflow: lost ${batch.length} event(s) of the runs' timelines: ${error.message}\n`));
  }
}

/** Whether `dumps(Outcome)` holds a success; read from the header when it has the usual shape. */
export function succeeded(outcome: Uint8Array): boolean {
  if (outcome[0] === 0x92 && (outcome[1] === 0xc3 || outcome[1] === 0xc2)) return outcome[1] === 0xc3;
  return loads<Outcome>(outcome)[0];
}
