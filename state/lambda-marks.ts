/**
 * Marks of pool workers that run as Lambda invocations: each says in Redis how it is, and the
 * backend that started it reads the marks to replace the ones that left or went silent.
 */
import type { StoreCore } from './core.js';
import { runKeys } from './keys.js';

/** What a pool worker invocation says of itself; a mark that expired means it went silent. */
export type WorkerMark = 'starting' | 'running' | 'left' | 'done';

export class LambdaMarks {
  constructor(private readonly core: StoreCore) {}

  async set(runId: string, poolId: string, slot: number, mark: WorkerMark, ttlMs: number): Promise<void> {
    await this.core.redis.set(runKeys(runId).lambdaWorker(poolId, slot), mark, 'PX', ttlMs);
  }

  /** The marks of `slots`, null where one expired. */
  async read(runId: string, poolId: string, slots: number[]): Promise<(WorkerMark | null)[]> {
    if (slots.length === 0) return [];
    return (await this.core.redis.mget(slots.map((slot) => runKeys(runId).lambdaWorker(poolId, slot)))) as (WorkerMark | null)[];
  }
}
