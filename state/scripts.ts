/**
 * The Lua scripts, one per atomic operation (`scripts/<name>-<keys>.lua`, shared snippets in
 * `scripts/includes/`), registered on a connection once and called through these typed wrappers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';

const SCRIPTS_DIR = new URL('./scripts/', import.meta.url);
const INCLUDES_DIR = new URL('./includes/', SCRIPTS_DIR);

type Bytes = Buffer | Uint8Array;

/**
 * The last two arguments of a script marked `--@once`: the operation's field in its records hash
 * (the script's last key), and how long to keep that hash (ms; 0: the call has no identity).
 */
export type Once = [field: string, keep: number];

/** What claim() in scripts/includes/pool.lua answers: status, straggler hint, then id/call pairs. */
export type ClaimReply = [status: Buffer, hint: number, ...idsAndCalls: Buffer[]];

/**
 * The scripts as ioredis calls them: keys, then arguments. Those marked `--@once` take the
 * operation's records hash after their keys and `Once` after their arguments.
 */
export interface Scripts {
  usageAdd(usage: string, billedMs: number, gbMs: number, redisCommands: number, ttl: number): Promise<number>;
  queuePut(items: string, unfinished: string, putters: string, record: string, item: Bytes, maxsize: number, ttl: number, joinable: string, waiter: string, ...once: Once): Promise<number>;
  queueGetBuffer(items: string, putters: string, held: string, record: string, prefix: string, ttl: number, ...once: Once): Promise<Buffer | null>;
  queueTaskDone(unfinished: string, waiters: string, record: string, prefix: string, ttl: number, ...once: Once): Promise<number>;
  queueJoin(unfinished: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  lockAcquire(lock: string, waiters: string, record: string, owner: string, reentrant: string, leaseMs: number, waiter: string, ttl: number, count: number, ...once: Once): Promise<number>;
  lockRelease(lock: string, waiters: string, record: string, owner: string, reentrant: string, prefix: string, ttl: number, ...once: Once): Promise<number>;
  lockRenew(lock: string, owner: string, leaseMs: number): Promise<number>;
  semaphoreAcquire(semaphore: string, waiters: string, record: string, initial: number, waiter: string, ttl: number, ...once: Once): Promise<number>;
  semaphoreRelease(semaphore: string, waiters: string, record: string, initial: number, n: number, bound: number, prefix: string, ttl: number, ...once: Once): Promise<number>;
  eventSet(flag: string, waiters: string, record: string, prefix: string, ttl: number, ...once: Once): Promise<number>;
  eventWait(flag: string, waiters: string, waiter: string, ttl: number): Promise<number>;
  conditionWait(lock: string, lockWaiters: string, waiters: string, record: string, owner: string, waiter: string, prefix: string, ttl: number, ...once: Once): Promise<number>;
  conditionNotify(lock: string, waiters: string, record: string, owner: string, n: number, prefix: string, ttl: number, ...once: Once): Promise<number>;
  barrierArrive(barrier: string, record: string, ttl: number, ...once: Once): Promise<[number, number, number]>;
  barrierAwait(barrier: string, waiters: string, generation: number, waiter: string, ttl: number): Promise<string | null>;
  barrierTrip(barrier: string, waiters: string, record: string, generation: number, prefix: string, ttl: number, ...once: Once): Promise<number>;
  barrierBreak(barrier: string, waiters: string, record: string, how: 'abort' | 'reset', prefix: string, ttl: number, ...once: Once): Promise<number>;
  arrayInit(array: string, record: string, length: number, bytes: Bytes | '', ttl: number, ...once: Once): Promise<number>;
  arrayWrite(array: string, record: string, offset: number, bytes: Bytes, ...once: Once): Promise<number>;
  arrayAddIntBuffer(array: string, record: string, offset: number, type: string, delta: string, size: number, ...once: Once): Promise<Buffer>;
  arrayAddFloat(array: string, record: string, offset: number, typecode: string, delta: string, ttl: number, ...once: Once): Promise<string>;
  listPush(list: string, record: string, ttl: number, ...valuesThenOnce: (Bytes | number | string)[]): Promise<number>;
  listInsert(list: string, record: string, index: number, value: Bytes, ttl: number, ...once: Once): Promise<number>;
  listPopBuffer(list: string, record: string, index: number, marker: Bytes, ...once: Once): Promise<Buffer | null>;
  listSort(list: string, record: string, descending: string, ...once: Once): Promise<number>;
  listRemove(list: string, record: string, value: Bytes, ...once: Once): Promise<number>;
  listSet(list: string, record: string, index: number, value: Bytes, ...once: Once): Promise<number>;
  dictSet(dict: string, record: string, ttl: number, ...fieldsAndValuesThenOnce: (Bytes | number | string)[]): Promise<number>;
  dictDelete(dict: string, record: string, field: Bytes, ...once: Once): Promise<number>;
  dictPopBuffer(dict: string, record: string, field: Bytes, ...once: Once): Promise<Buffer | null>;
  dictSetdefaultBuffer(dict: string, record: string, field: Bytes, value: Bytes, ttl: number, ...once: Once): Promise<Buffer>;
  objectClear(key: string, record: string, ...once: Once): Promise<number>;
  objectStore(key: string, record: string, state: Bytes, ttl: number, ...once: Once): Promise<number>;
  connectionSend(messages: string, watchers: string, record: string, message: Bytes, prefix: string, ttl: number, ...once: Once): Promise<number>;
  connectionRecvBuffer(messages: string, held: string, record: string, ...once: Once): Promise<Buffer | null>;
  connectionPoll(messages: string, watchers: string, watcher: string, ttl: number): Promise<number>;
  poolSubmit(pool: string, wakePrefix: string, ttl: number, job: number, factor: number, minMs: number, ...calls: Bytes[]): Promise<number>;
  poolClaimBuffer(pool: string, count: number, leaseMs: number, waiter: string, ttl: number, stragglers: string): Promise<ClaimReply>;
  poolCompleteBuffer(pool: string, records: string, wakePrefix: string, ttl: number, id: string, outcome: Bytes, ok: string, leaseMs: number, claimNext: string, recordsAfterMs: number): Promise<ClaimReply>;
  poolRenew(pool: string, leaseMs: number, ...ids: string[]): Promise<number[]>;
  poolCollectBuffer(pool: string, job: number, cursor: number, need: number, waiter: string, ttl: number): Promise<(number | Buffer)[]>;
  poolStop(pool: string, record: string, how: 'closed' | 'terminated', wakePrefix: string, ttl: number, ...once: Once): Promise<number>;
}

/**
 * Registers every script on `redis` (ioredis sends each by its SHA, loading it on first use).
 * A script marked `--@once` runs inside includes/once.lua's guard, with one more key and two
 * more arguments than its name and header say: its caller passes `record` after the keys and
 * `...once` (OpContext) after the arguments.
 * (Every script declares `once_unchanged`, which includes/wake.lua's enqueue() sets.)
 */
export function defineScripts(redis: Redis): Redis & Scripts {
  for (const { name, numberOfKeys, lua } of scriptDefinitions()) redis.defineCommand(name, { numberOfKeys, lua });
  return redis as Redis & Scripts;
}

let definitions: { name: string; numberOfKeys: number; lua: string }[] | undefined;

/** The scripts as defineCommand takes them, read once per process: every connection with scripts gets the same. */
function scriptDefinitions(): { name: string; numberOfKeys: number; lua: string }[] {
  const include = (name: string) => readFileSync(new URL(`${name}.lua`, INCLUDES_DIR), 'utf8');
  return (definitions ??= readdirSync(SCRIPTS_DIR).flatMap((file) => {
    const match = /^(\w+)-(\d+)\.lua$/.exec(file);
    if (!match) return [];
    const source = readFileSync(new URL(file, SCRIPTS_DIR), 'utf8');
    const once = /^--@once(?: held=(\d+) from=(\d+))?$/m.exec(source);
    const body = source.replace(/^--@once.*$/m, '').replace(/^--@include (\w+)$/gm, (_, name: string) => include(name));
    const held = once?.[1] ? `local once_held, once_from = KEYS[${once[1]}], KEYS[${once[2]}]` : 'local once_held, once_from';
    const lua = once
      ? `${held}\n${include('once')}\nlocal once_result = (function()\n${body}\nend)()\n` +
        `if once_keep > 0 and not once_unchanged then\n  redis.call('HSET', once_record, once_field, cmsgpack.pack({ once_result }))\n  redis.call('PEXPIRE', once_record, once_keep)\nend\nreturn once_result\n`
      : `local once_unchanged = false\n${body}`;
    return [{ name: match[1], numberOfKeys: Number(match[2]) + (once ? 1 : 0), lua }];
  }));
}

export function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
