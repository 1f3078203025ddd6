/** What a run's Lambda invocations used, added up in Redis for its cost report. */
import type { StoreCore } from './core.js';
import { runKeys } from './keys.js';

export interface RunUsage {
  invocations: number;
  billedMs: number;
  /** Billed milliseconds × memory in GB. */
  gbMs: number;
  /** Commands the invocations sent to Redis on their main connection. */
  redisCommands: number;
}

export class UsageLedger {
  constructor(private readonly core: StoreCore) {}

  /** Adds one invocation's figures to the run's usage. */
  async add(runId: string, invocation: { billedMs: number; memoryMb: number; redisCommands: number }): Promise<void> {
    const gbMs = Math.round((invocation.billedMs * invocation.memoryMb) / 1024);
    await this.core.redis.usageAdd(runKeys(runId).usage, invocation.billedMs, gbMs, invocation.redisCommands, this.core.ttl);
  }

  async read(runId: string): Promise<RunUsage> {
    const recorded = await this.core.redis.hgetall(runKeys(runId).usage);
    const usage: RunUsage = { invocations: 0, billedMs: 0, gbMs: 0, redisCommands: 0 };
    for (const field of Object.keys(usage) as (keyof RunUsage)[]) usage[field] = Number(recorded[field] ?? 0);
    return usage;
  }
}
