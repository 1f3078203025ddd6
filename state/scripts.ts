/**
 * The Lua scripts, one per atomic operation (`scripts/<name>-<keys>.lua`, shared snippets in
 * `scripts/includes/`), registered on a connection once and called through these typed wrappers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';

const SCRIPTS_DIR = new URL('./scripts/', import.meta.url);
const INCLUDES_DIR = new URL('./includes/', SCRIPTS_DIR);

type Bytes = Buffer | Uint8Array;

/** What claim() in scripts/includes/pool.lua answers: status, straggler hint, then id/call pairs. */
export type ClaimReply = [status: Buffer, hint: number, ...idsAndCalls: Buffer[]];

export interface Scripts {
  usageAdd(usage: string, billedMs: number, gbMs: number, redisCommands: number, ttl: number): Promise<number>;
  queuePut(items: string, unfinished: string, putters: string, item: Bytes, maxsize: number, ttl: number, joinable: string, waiter: string): Promise<number>;
  queueGetBuffer(items: string, putters: string, prefix: string, ttl: number): Promise<Buffer | null>;
  wakeWaiters(waiters: string, prefix: string, n: number, ttl: number): Promise<number>;
  queueTaskDone(unfinished: string, waiters: string, prefix: string, ttl: number): Promise<number>;
  queueJoin(unfinished: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  lockAcquire(lock: string, waiters: string, owner: string, reentrant: string, leaseMs: number, waiter: string, ttl: number, count?: number): Promise<number>;
  lockRelease(lock: string, waiters: string, owner: string, reentrant: string, prefix: string, ttl: number): Promise<number>;
  lockRenew(lock: string, owner: string, leaseMs: number): Promise<number>;
  semaphoreAcquire(semaphore: string, waiters: string, initial: number, waiter: string, ttl: number): Promise<number>;
  semaphoreRelease(semaphore: string, waiters: string, initial: number, n: number, bound: number, prefix: string, ttl: number): Promise<number>;
  eventSet(flag: string, waiters: string, prefix: string, ttl: number): Promise<number>;
  eventWait(flag: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  conditionWait(lock: string, lockWaiters: string, waiters: string, owner: string, waiter: string, prefix: string, ttl: number): Promise<number>;
  conditionNotify(lock: string, waiters: string, owner: string, n: number, prefix: string, ttl: number): Promise<number>;
  barrierArrive(barrier: string, ttl: number): Promise<[number, number, number]>;
  barrierAwait(barrier: string, waiters: string, generation: number, waiter: string, ttl: number): Promise<string | null>;
  barrierTrip(barrier: string, waiters: string, generation: number, prefix: string, ttl: number): Promise<number>;
  barrierBreak(barrier: string, waiters: string, how: 'abort' | 'reset', prefix: string, ttl: number): Promise<number>;
  arrayAddFloat(array: string, offset: number, typecode: string, delta: string, ttl: number): Promise<string>;
  listPush(list: string, ttl: number, ...values: Bytes[]): Promise<number>;
  connectionSend(messages: string, watchers: string, message: Bytes, prefix: string, ttl: number): Promise<number>;
  connectionPoll(messages: string, watchers: string, watcher: string, ttl: number): Promise<number>;
  listInsert(list: string, index: number, value: Bytes, ttl: number): Promise<number>;
  listPopBuffer(list: string, index: number, marker: Bytes): Promise<Buffer | null>;
  listSort(list: string, descending: string): Promise<number>;
  poolSubmit(pool: string, wakePrefix: string, ttl: number, job: number, factor: number, minMs: number, ...calls: Bytes[]): Promise<number>;
  poolClaimBuffer(pool: string, count: number, leaseMs: number, waiter: string, ttl: number, stragglers: string): Promise<ClaimReply>;
  poolCompleteBuffer(pool: string, wakePrefix: string, ttl: number, id: string, outcome: Bytes, ok: string, leaseMs: number): Promise<ClaimReply>;
  poolRenew(pool: string, leaseMs: number, ...ids: string[]): Promise<number[]>;
  poolCollectBuffer(pool: string, job: number, cursor: number, need: number, waiter: string, ttl: number): Promise<(number | Buffer)[]>;
  poolStop(pool: string, how: 'closed' | 'terminated', wakePrefix: string, ttl: number): Promise<number>;
  dictPopBuffer(dict: string, field: Bytes): Promise<Buffer | null>;
  dictSetdefaultBuffer(dict: string, field: Bytes, value: Bytes, ttl: number): Promise<Buffer>;
}

/** Registers every script on `redis` (ioredis sends each by its SHA, loading it on first use). */
export function defineScripts(redis: Redis): Redis & Scripts {
  for (const file of readdirSync(SCRIPTS_DIR)) {
    const match = /^(\w+)-(\d+)\.lua$/.exec(file);
    if (!match) continue;
    const lua = readFileSync(new URL(file, SCRIPTS_DIR), 'utf8').replace(/^--@include (\w+)$/gm, (_, name: string) => readFileSync(new URL(`${name}.lua`, INCLUDES_DIR), 'utf8'));
    redis.defineCommand(match[1], { numberOfKeys: Number(match[2]), lua });
  }
  return redis as Redis & Scripts;
}

export function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
