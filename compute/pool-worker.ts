/**
 * A pool worker of queue dispatch: hosts a range of a pool's slots and keeps them busy
 * with chunks from the pool's job queue in Redis until the pool is closed and drained,
 * or terminated. Each slot claims its next chunk in the same round trip that stores its
 * last result. Claimed chunks are leased and the leases renewed while they run, so the
 * chunks of a worker that died go back to the queue; the renewal also tells a chunk to
 * stop when a straggler copy of it finished first or the pool was terminated.
 */
import { randomUUID } from 'node:crypto';
import { deferred } from '../mp-shim/deferred.js';
import { SlotGenerations } from '../mp-shim/pool/slots.js';
import { dumps, loads } from '../mp-shim/serialization.js';
import type { ChunkCall, Outcome, PoolWorkerSpec } from '../mp-shim/transport.js';
import type { Claim, RedisStore } from '../state/store.js';
import type { ComputeBackend, RunContext } from './backend.js';
import { succeeded } from './chunk-runs.js';
import { runWithRetries } from './retry.js';

/** How often running chunks' leases are renewed (and losing copies stopped); well inside any lease. */
const RENEW_INTERVAL_MS = 1_000;
/** Longest idle wait between claims: lapsed leases of dead workers are noticed this often. */
const IDLE_SLICE_MS = 2_000;

export type RunChunk = (call: ChunkCall, signal: AbortSignal) => Promise<Uint8Array>;

export interface PoolWorkerHooks {
  /** Aborts the worker: its running chunks stop, their leases lapse, other workers take them. */
  signal: AbortSignal;
  /** Asks the worker to leave cleanly: it finishes the chunks it runs, claims nothing more, and returns. */
  drain?: AbortSignal;
  /**
   * Chunks the compute backend runs at full speed at once. Straggler copies start only while fewer
   * run here: on a busy backend a chunk waiting for a thread only looks slow, and a copy would
   * take CPU from the chunks that are running.
   */
  parallelism: number;
  /** Called about once a second while the worker lives (activities heartbeat here). */
  onBeat?: () => void;
}

type Chunk = Claim['chunks'][number];

export interface HostHooks {
  signal: AbortSignal;
  onBeat?: () => void;
}

/**
 * Runs a pool worker's slots until the pool is done: on the backend itself when it hosts pool
 * workers (Lambda), else here, each chunk launched on the backend by the one retry policy.
 */
export function hostPoolWorkers(store: RedisStore, backend: ComputeBackend, spec: PoolWorkerSpec, context: RunContext, hooks: HostHooks): Promise<void> {
  if (backend.hostPoolWorkers) return backend.hostPoolWorkers(spec, context, hooks);
  const run = (call: ChunkCall, signal: AbortSignal) => runWithRetries(backend, call, context, signal);
  return runPoolWorker(store, context.runId, spec, run, { ...hooks, parallelism: backend.parallelism });
}

class ChunkDiscarded extends Error {}

export async function runPoolWorker(store: RedisStore, runId: string, spec: PoolWorkerSpec, run: RunChunk, { signal, drain, parallelism, onBeat }: PoolWorkerHooks): Promise<void> {
  const { poolId, leaseMs } = spec;
  const free = Array.from({ length: spec.slots }, (_, i) => spec.firstSlot + spec.slots - 1 - i);
  const slots = new SlotGenerations(spec);
  const running = new Map<number, { id: string; controller: AbortController }>();
  const waiter = randomUUID();
  let slotFreed = deferred();
  let wake: Promise<boolean> | undefined;
  // A wait still pending when the worker returns would hold its Redis connection for up to a slice.
  const leaving = new AbortController();
  let failure: unknown;

  const renew = async () => {
    const entries = [...running.values()];
    const keep = await store.pools.renew(runId, poolId, entries.map((entry) => entry.id), leaseMs);
    entries.forEach((entry, i) => keep[i] || entry.controller.abort(new ChunkDiscarded()));
  };
  // Beats even while Redis is unreachable: a failing claim or completion ends the worker instead.
  const renewer = setInterval(() => {
    onBeat?.();
    renew().catch(() => {});
  }, RENEW_INTERVAL_MS);
  const stopRunning = () => running.forEach(({ controller }) => controller.abort(new ChunkDiscarded()));
  signal.addEventListener('abort', stopRunning, { once: true });
  const draining = new Promise<void>((resolve) => (drain?.aborted ? resolve() : drain?.addEventListener('abort', () => resolve(), { once: true })));

  /** The call as this slot runs it (its worker's generation under `maxTasksPerChild`). */
  const onSlot = (slot: number, chunk: Chunk): ChunkCall => ({ ...loads<ChunkCall>(chunk.call), slot: slots.assign(slot) });

  const work = async (slot: number, first: Chunk) => {
    try {
      for (let chunk: Chunk | undefined = first; chunk && !signal.aborted; ) {
        const controller = new AbortController();
        running.set(slot, { id: chunk.id, controller });
        const call = onSlot(slot, chunk);
        let outcome: Uint8Array;
        try {
          outcome = await run(call, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) break;
          outcome = dumps([false, error as Error] satisfies Outcome);
        } finally {
          running.delete(slot);
        }
        const next = await store.pools.complete(runId, poolId, chunk.id, call.id, outcome, succeeded(outcome), leaseMs, !drain?.aborted);
        chunk = next.chunks[0];
      }
    } catch (error) {
      failure ??= error;
    } finally {
      free.push(slot);
      slotFreed.resolve();
    }
  };

  try {
    for (;;) {
      signal.throwIfAborted();
      if (failure) throw failure;
      // Reset before looking at `free`: a slot freed from here on resolves the new one.
      slotFreed = deferred();
      if (drain?.aborted) {
        if (running.size === 0) return;
        await slotFreed.promise;
        continue;
      }
      if (free.length === 0) {
        await Promise.race([slotFreed.promise, draining]);
        continue;
      }
      const claim = await store.pools.claim(runId, poolId, free.length, leaseMs, waiter, running.size < parallelism);
      for (const chunk of claim.chunks) void work(free.pop()!, chunk);
      if (claim.status === 'run') continue;
      if (claim.status === 'stop' && running.size === 0) return;
      const idleMs = claim.hintMs >= 0 ? Math.min(claim.hintMs + 1, IDLE_SLICE_MS) : IDLE_SLICE_MS;
      // One wait at a time: a second one on the same wake-up list could miss the token the first takes.
      wake ??= store.pools.awaitWake(runId, waiter, idleMs, { signal: AbortSignal.any([signal, leaving.signal]) }).finally(() => (wake = undefined));
      wake.catch(() => {}); // when the slot wins the race, an abort later must not go unhandled
      await Promise.race([slotFreed.promise, wake, draining]);
    }
  } finally {
    leaving.abort();
    clearInterval(renewer);
    signal.removeEventListener('abort', stopRunning);
    stopRunning();
  }
}
