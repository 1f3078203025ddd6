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

/**
 * The scripts as ioredis calls them: keys, then arguments. Those marked `--@once` take the
 * operation's record key after their keys and the record's lifetime after their arguments.
 */
export interface Scripts {
  usageAdd(usage: string, billedMs: number, gbMs: number, redisCommands: number, ttl: number): Promise<number>;
  queuePut(items: string, unfinished: string, putters: string, record: string, item: Bytes, maxsize: number, ttl: number, joinable: string, waiter: string, keep: number): Promise<number>;
  queueGetBuffer(items: string, putters: string, held: string, record: string, prefix: string, ttl: number, keep: number): Promise<Buffer | null>;
  queueTaskDone(unfinished: string, waiters: string, record: string, prefix: string, ttl: number, keep: number): Promise<number>;
  queueJoin(unfinished: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  lockAcquire(lock: string, waiters: string, record: string, owner: string, reentrant: string, leaseMs: number, waiter: string, ttl: number, count: number, keep: number): Promise<number>;
  lockRelease(lock: string, waiters: string, record: string, owner: string, reentrant: string, prefix: string, ttl: number, keep: number): Promise<number>;
  lockRenew(lock: string, owner: string, leaseMs: number): Promise<number>;
  semaphoreAcquire(semaphore: string, waiters: string, record: string, initial: number, waiter: string, ttl: number, keep: number): Promise<number>;
  semaphoreRelease(semaphore: string, waiters: string, record: string, initial: number, n: number, bound: number, prefix: string, ttl: number, keep: number): Promise<number>;
  eventSet(flag: string, waiters: string, record: string, prefix: string, ttl: number, keep: number): Promise<number>;
  eventWait(flag: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  conditionWait(lock: string, lockWaiters: string, waiters: string, record: string, owner: string, waiter: string, prefix: string, ttl: number, keep: number): Promise<number>;
  conditionNotify(lock: string, waiters: string, record: string, owner: string, n: number, prefix: string, ttl: number, keep: number): Promise<number>;
  barrierArrive(barrier: string, record: string, ttl: number, keep: number): Promise<[number, number, number]>;
  barrierAwait(barrier: string, waiters: string, generation: number, waiter: string, ttl: number): Promise<string | null>;
  barrierTrip(barrier: string, waiters: string, record: string, generation: number, prefix: string, ttl: number, keep: number): Promise<number>;
  barrierBreak(barrier: string, waiters: string, record: string, how: 'abort' | 'reset', prefix: string, ttl: number, keep: number): Promise<number>;
  arrayInit(array: string, record: string, length: number, bytes: Bytes | '', ttl: number, keep: number): Promise<number>;
  arrayWrite(array: string, record: string, offset: number, bytes: Bytes, keep: number): Promise<number>;
  arrayAddIntBuffer(array: string, record: string, offset: number, type: string, delta: string, size: number, keep: number): Promise<Buffer>;
  arrayAddFloat(array: string, record: string, offset: number, typecode: string, delta: string, ttl: number, keep: number): Promise<string>;
  listPush(list: string, record: string, ttl: number, ...valuesThenKeep: (Bytes | number)[]): Promise<number>;
  listInsert(list: string, record: string, index: number, value: Bytes, ttl: number, keep: number): Promise<number>;
  listPopBuffer(list: string, record: string, index: number, marker: Bytes, keep: number): Promise<Buffer | null>;
  listSort(list: string, record: string, descending: string, keep: number): Promise<number>;
  listRemove(list: string, record: string, value: Bytes, keep: number): Promise<number>;
  listSet(list: string, record: string, index: number, value: Bytes, keep: number): Promise<number>;
  dictSet(dict: string, record: string, ttl: number, ...fieldsAndValuesThenKeep: (Bytes | number)[]): Promise<number>;
  dictDelete(dict: string, record: string, field: Bytes, keep: number): Promise<number>;
  dictPopBuffer(dict: string, record: string, field: Bytes, keep: number): Promise<Buffer | null>;
  dictSetdefaultBuffer(dict: string, record: string, field: Bytes, value: Bytes, ttl: number, keep: number): Promise<Buffer>;
  objectClear(key: string, record: string, keep: number): Promise<number>;
  objectStore(key: string, record: string, state: Bytes, ttl: number, keep: number): Promise<number>;
  connectionSend(messages: string, watchers: string, record: string, message: Bytes, prefix: string, ttl: number, keep: number): Promise<number>;
  connectionRecvBuffer(messages: string, held: string, record: string, keep: number): Promise<Buffer | null>;
  connectionPoll(messages: string, watchers: string, watcher: string, ttl: number): Promise<number>;
  poolSubmit(pool: string, wakePrefix: string, ttl: number, job: number, factor: number, minMs: number, ...calls: Bytes[]): Promise<number>;
  poolClaimBuffer(pool: string, count: number, leaseMs: number, waiter: string, ttl: number, stragglers: string): Promise<ClaimReply>;
  poolCompleteBuffer(pool: string, wakePrefix: string, ttl: number, id: string, outcome: Bytes, ok: string, leaseMs: number, claimNext: string): Promise<ClaimReply>;
  poolRenew(pool: string, leaseMs: number, ...ids: string[]): Promise<number[]>;
  poolCollectBuffer(pool: string, job: number, cursor: number, need: number, waiter: string, ttl: number): Promise<(number | Buffer)[]>;
  poolStop(pool: string, record: string, how: 'closed' | 'terminated', wakePrefix: string, ttl: number, keep: number): Promise<number>;
}

/**
 * Registers every script on `redis` (ioredis sends each by its SHA, loading it on first use).
 * A script marked `--@once` runs inside includes/once.lua's guard, with one more key and one
 * more argument than its name and header say: its caller passes `record` (OpContext) last.
 * (Every script declares `once_unchanged`, which includes/wake.lua's enqueue() sets.)
 */
export function defineScripts(redis: Redis): Redis & Scripts {
  const include = (name: string) => readFileSync(new URL(`${name}.lua`, INCLUDES_DIR), 'utf8');
  for (const file of readdirSync(SCRIPTS_DIR)) {
    const match = /^(\w+)-(\d+)\.lua$/.exec(file);
    if (!match) continue;
    const source = readFileSync(new URL(file, SCRIPTS_DIR), 'utf8');
    const once = /^--@once$/m.test(source);
    const body = source.replace(/^--@once$/m, '').replace(/^--@include (\w+)$/gm, (_, name: string) => include(name));
    const lua = once
      ? `${include('once')}\nlocal once_result = (function()\n${body}\nend)()\nif once_keep > 0 and not once_unchanged then redis.call('SET', once_record, cmsgpack.pack({ once_result }), 'PX', once_keep) end\nreturn once_result\n`
      : `local once_unchanged = false\n${body}`;
    redis.defineCommand(match[1], { numberOfKeys: Number(match[2]) + (once ? 1 : 0), lua });
  }
  return redis as Redis & Scripts;
}

export function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
