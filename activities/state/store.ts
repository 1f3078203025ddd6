/**
 * Shared state in Redis: every StateOp of mp-shim, executed with one atomic Lua
 * script or one blocking pop each. Used directly by the local engine and by tasks,
 * and through activities by the main program under the durable engine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ProcessError } from '../../mp-shim/errors.js';
import type { StateOp, StateResult } from '../../mp-shim/transport.js';
import { runKeys } from './keys.js';

const SCRIPTS_DIR = new URL('./scripts/', import.meta.url);
/** Longest single blocking call, so a waiting activity can heartbeat and notice cancellation. */
const BLOCKING_SLICE_MS = 2_000;
/** Backstop expiry of a run's keys, for runs that never reach their cleanup. */
const DEFAULT_KEY_TTL_MS = 7 * 24 * 3_600_000;

type Bytes = Buffer | Uint8Array;

interface ScriptCommands {
  queuePut(items: string, item: Bytes, maxsize: number, ttlMs: number): Promise<number>;
  queueGetBuffer(items: string, notFull: string, maxsize: number, ttlMs: number): Promise<Buffer | null>;
  signalNotFull(notFull: string, maxsize: number, ttlMs: number): Promise<number>;
}

export interface WaitHooks {
  signal?: AbortSignal;
  /** Called between blocking slices (activities heartbeat here). */
  onSlice?: () => void;
}

export class RedisStore {
  readonly #redis: Redis & ScriptCommands;
  readonly #idleBlocking: Redis[] = [];
  readonly #keyTtlMs: number;

  private constructor(redis: Redis, readonly url: string, keyTtlMs: number) {
    for (const file of readdirSync(SCRIPTS_DIR)) {
      const match = /^(\w+)-(\d+)\.lua$/.exec(file);
      if (!match) continue;
      redis.defineCommand(match[1], { numberOfKeys: Number(match[2]), lua: readFileSync(new URL(file, SCRIPTS_DIR), 'utf8') });
    }
    this.#redis = redis as Redis & ScriptCommands;
    this.#keyTtlMs = keyTtlMs;
  }

  /** Connects, or fails at once with an error naming the URL: never retries in the background. */
  static async connect(url: string, keyTtlMs = DEFAULT_KEY_TTL_MS): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5_000, retryStrategy: (times) => (times > 5 ? null : times * 200) });
    redis.on('error', () => {}); // surfaced through the failing command instead
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new ProcessError(`cannot reach Redis at ${url}: ${(error as Error).message} (set MPFLOW_REDIS_URL, or run \`mpflow dev up\`)`);
    }
    return new RedisStore(redis, url, keyTtlMs);
  }

  get redis(): Redis {
    return this.#redis;
  }

  async execute<K extends StateOp['op']>(runId: string, op: Extract<StateOp, { op: K }>, hooks: WaitHooks = {}): Promise<StateResult[K]> {
    const keys = runKeys(runId);
    const ttl = this.#keyTtlMs;
    const request = op as StateOp;
    switch (request.op) {
      case 'queue.put': {
        const { key, item, maxsize, block, timeoutMs } = request;
        const put = async () => (await this.#redis.queuePut(keys.queueItems(key), asBuffer(item), maxsize, ttl)) === 1;
        if (await put()) return true as StateResult[K];
        if (!block) return false as StateResult[K];
        return (await this.#waitFor(keys.queueNotFull(key), timeoutMs, hooks, put)) as StateResult[K];
      }
      case 'queue.get': {
        const { key, maxsize, block, timeoutMs } = request;
        const items = keys.queueItems(key);
        const item = await this.#redis.queueGetBuffer(items, keys.queueNotFull(key), maxsize, ttl);
        if (item || !block) return item as StateResult[K];
        const popped = await this.#blockingPop(items, timeoutMs, hooks);
        if (popped && maxsize > 0) await this.#redis.signalNotFull(keys.queueNotFull(key), maxsize, ttl);
        return popped as StateResult[K];
      }
      case 'queue.qsize':
        return (await this.#redis.llen(keys.queueItems(request.key))) as StateResult[K];
    }
  }

  /** Removes every key of a run. */
  async cleanupRun(runId: string): Promise<number> {
    let removed = 0;
    const stream = this.#redis.scanStream({ match: runKeys(runId).all, count: 500 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      if (batch.length > 0) removed += await this.#redis.unlink(...batch);
    }
    return removed;
  }

  async close(): Promise<void> {
    for (const connection of this.#idleBlocking.splice(0)) connection.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** Retries `attempt` each time `signalKey` is signalled, until it succeeds or `timeoutMs` passes. */
  async #waitFor(signalKey: string, timeoutMs: number | undefined, hooks: WaitHooks, attempt: () => Promise<boolean>): Promise<boolean> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) return false;
      await this.#blockingPop(signalKey, Math.min(remaining ?? BLOCKING_SLICE_MS, BLOCKING_SLICE_MS), hooks);
      if (await attempt()) return true;
    }
  }

  /** BLPOP in slices on a connection of its own; an abort drops the connection to stop waiting at once. */
  async #blockingPop(key: string, timeoutMs: number | undefined, { signal, onSlice }: WaitHooks): Promise<Buffer | null> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const connection = this.#idleBlocking.pop() ?? this.#redis.duplicate();
    const abort = () => connection.disconnect();
    signal?.addEventListener('abort', abort, { once: true });
    let reusable = true;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const remaining = deadline === undefined ? BLOCKING_SLICE_MS : Math.min(deadline - Date.now(), BLOCKING_SLICE_MS);
        if (remaining <= 0) return null;
        const popped = await connection.blpopBuffer(key, Math.max(remaining, 1) / 1000);
        if (popped) return popped[1];
        onSlice?.();
      }
    } catch (error) {
      reusable = false;
      throw signal?.aborted ? signal.reason : error;
    } finally {
      signal?.removeEventListener('abort', abort);
      if (reusable) this.#idleBlocking.push(connection);
      else connection.disconnect();
    }
  }
}

function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
