/**
 * The pool workers' side of a queue-dispatch pool's job queue (scripts/includes/pool.lua has its
 * layout): claim chunks, store an outcome and claim the next in one round trip, renew leases,
 * and wait idle until there is work.
 */
import type { StoreCore } from './core.js';
import { CHUNK_RECORDS_AFTER_OUTCOME_MS, chunkRecords, runKeys } from './keys.js';
import { asBuffer, type ClaimReply } from './scripts.js';

/** Work a pool worker claimed: chunks to run, or why there are none. */
export interface Claim {
  status: 'run' | 'wait' | 'stop';
  chunks: { id: string; call: Uint8Array }[];
  /** When waiting: ms until a running chunk may become a straggler (-1: none can). */
  hintMs: number;
}

export class PoolQueue {
  constructor(private readonly core: StoreCore) {}

  /**
   * Whether a pool still needs workers: it exists (its run is not over) and is open, or closed
   * with chunks still waiting or running. Read without a script: a stale answer only delays a
   * decision by one look.
   */
  async needsWorkers(runId: string, poolId: string): Promise<boolean> {
    const pool = runKeys(runId).pool(poolId);
    const [[, state], [, waiting], [, running]] = (await this.core.redis.multi().hget(pool.pool, 'state').llen(pool.jobs).zcard(pool.leases).exec())! as [unknown, unknown][];
    if (state === null || state === 'terminated') return false;
    return state === 'open' || Number(waiting) + Number(running) > 0;
  }

  /**
   * Claims up to `count` chunks for a pool worker's free slots, straggler copies too when `stragglers`;
   * `waiter` is registered as idle when there are none.
   */
  async claim(runId: string, poolId: string, count: number, leaseMs: number, waiter: string, stragglers: boolean): Promise<Claim> {
    const { redis, ttl } = this.core;
    return this.#parseClaim(await redis.poolClaimBuffer(runKeys(runId).pool(poolId).pool, count, leaseMs, waiter, ttl, stragglers ? '1' : '0'));
  }

  /**
   * Records the outcome of chunk `id` (the first copy's wins; `call` is its ChunkCall's id, whose
   * records then expire soon) and, unless the worker is leaving, claims the slot's next chunk.
   */
  async complete(runId: string, poolId: string, id: string, call: string, outcome: Uint8Array, ok: boolean, leaseMs: number, claimNext: boolean): Promise<Claim> {
    const { redis, ttl } = this.core;
    const keys = runKeys(runId);
    const records = keys.records(chunkRecords(call));
    return this.#parseClaim(await redis.poolCompleteBuffer(keys.pool(poolId).pool, records, keys.wakePrefix, ttl, id, asBuffer(this.core.seal(outcome)), ok ? '1' : '0', leaseMs, claimNext ? '1' : '0', CHUNK_RECORDS_AFTER_OUTCOME_MS));
  }

  /** Renews the leases of running chunks; false for each one that must stop (done elsewhere, or the pool terminated). */
  async renew(runId: string, poolId: string, ids: string[], leaseMs: number): Promise<boolean[]> {
    if (ids.length === 0) return [];
    return (await this.core.redis.poolRenew(runKeys(runId).pool(poolId).pool, leaseMs, ...ids)).map((keep) => keep === 1);
  }

  #parseClaim([status, hint, ...idsAndCalls]: ClaimReply): Claim {
    const chunks: Claim['chunks'] = [];
    for (let i = 0; i < idsAndCalls.length; i += 2) chunks.push({ id: idsAndCalls[i].toString(), call: this.core.open(idsAndCalls[i + 1]) });
    return { status: status.toString() as Claim['status'], chunks, hintMs: hint };
  }

  /** Waits until an idle waiter is woken or `timeoutMs` passes. */
  async awaitWake(runId: string, waiter: string, timeoutMs: number, hooks: { signal?: AbortSignal }): Promise<boolean> {
    return (await this.core.blockingPop(runKeys(runId).wake(waiter), timeoutMs, hooks)) !== null;
  }
}
