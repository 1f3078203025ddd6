/**
 * Shared state in Redis: every StateOp of mp-shim, as one atomic Lua script or
 * command each. Used directly by the local engine and by tasks, and through
 * activities by the main program under the durable engine.
 *
 * Waiting is one mechanism for every primitive: a try-script either does the
 * operation or registers the caller on the object's waiters list, atomically, so
 * no wake-up is lost; whoever changes the state pushes a token on the wake-up
 * list of the waiters it releases; the waiter blocks on its own wake-up list in
 * slices and tries again after each (a slice also notices a dead lock holder's
 * lease running out).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { ProcessError } from '../mp-shim/errors.js';
import { dumps } from '../mp-shim/serialization.js';
import type { StateOp, StateOpName, StateResult } from '../mp-shim/transport.js';
import { runKeys, type RunKeys } from './keys.js';

const SCRIPTS_DIR = new URL('./scripts/', import.meta.url);
/** Longest single blocking call: a waiter tries again this often (a dead holder's lease may have run out). */
const BLOCKING_SLICE_MS = 2_000;
/** Backstop expiry of a run's keys, for runs that never reach their cleanup. */
const DEFAULT_KEY_TTL_MS = 7 * 24 * 3_600_000;
/** No MessagePack value starts with 0xc1, so no encoded list element equals this. */
const DELETED_MARKER = Buffer.from([0xc1, 0x64, 0x65, 0x6c]);

type Bytes = Buffer | Uint8Array;

/** What a run's Lambda invocations used, for its cost report (workflows/definitions.ts prices it). */
export interface RunUsage {
  invocations: number;
  billedMs: number;
  /** Billed milliseconds × memory in GB. */
  gbMs: number;
  /** Commands the invocations sent to Redis on their main connection. */
  redisCommands: number;
}

interface Scripts {
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

/** What claim() in scripts/includes/pool.lua answers: status, straggler hint, then id/call pairs. */
type ClaimReply = [status: Buffer, hint: number, ...idsAndCalls: Buffer[]];

/** Work a pool worker claimed: chunks to run, or why there are none. */
export interface Claim {
  status: 'run' | 'wait' | 'stop';
  chunks: { id: string; call: Buffer }[];
  /** When waiting: ms until a running chunk may become a straggler (-1: none can). */
  hintMs: number;
}

export interface WaitHooks {
  /** Stops the wait (an activity's cancellation). */
  signal?: AbortSignal;
}

/** What a handler gets: the run's keys and the store's helpers. */
interface OpContext {
  keys: RunKeys;
  hooks: WaitHooks;
}

/** Bitfield types of the integer typecodes; 64-bit unsigned ones wrap as i64 and are read back unsigned. */
const BITFIELD_TYPES: Record<string, string> = { b: 'i8', B: 'u8', h: 'i16', H: 'u16', i: 'i32', I: 'u32', l: 'i64', L: 'i64', q: 'i64', Q: 'i64' };

export class RedisStore {
  readonly #redis: Redis & Scripts;
  readonly #idleBlocking: Redis[] = [];
  #exactIntegers?: Redis;
  readonly #ttl: number;
  /** Locks this store took with a lease, renewed while this process (thread) lives: key → owner. */
  readonly #leased = new Map<string, { owner: string; leaseMs: number }>();
  #renewer?: ReturnType<typeof setInterval>;

  private constructor(redis: Redis, readonly url: string, keyTtlMs: number) {
    const includes = new URL('./includes/', SCRIPTS_DIR);
    for (const file of readdirSync(SCRIPTS_DIR)) {
      const match = /^(\w+)-(\d+)\.lua$/.exec(file);
      if (!match) continue;
      const lua = readFileSync(new URL(file, SCRIPTS_DIR), 'utf8').replace(/^--@include (\w+)$/gm, (_, name: string) => readFileSync(new URL(`${name}.lua`, includes), 'utf8'));
      redis.defineCommand(match[1], { numberOfKeys: Number(match[2]), lua });
    }
    this.#redis = redis as Redis & Scripts;
    this.#ttl = keyTtlMs;
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<typeof send>) => {
      this.#commandsSent++;
      return send(...args);
    }) as typeof redis.sendCommand;
  }

  #commandsSent = 0;

  /** Commands sent on this store's connection so far (a Lambda invocation reports its own for the cost report). */
  get commandsSent(): number {
    return this.#commandsSent;
  }

  /** Adds one invocation's figures to the run's usage. */
  async addUsage(runId: string, invocation: { billedMs: number; memoryMb: number; redisCommands: number }): Promise<void> {
    const gbMs = Math.round((invocation.billedMs * invocation.memoryMb) / 1024);
    await this.#redis.usageAdd(runKeys(runId).usage, invocation.billedMs, gbMs, invocation.redisCommands, this.#ttl);
  }

  /**
   * Connects, or fails at once with an error naming the URL. Once connected, a lost connection
   * (Redis restarting) is re-established for as long as it takes; commands issued meanwhile fail
   * after a few attempts, and the activity that issued them is retried.
   */
  static async connect(url: string, keyTtlMs = DEFAULT_KEY_TTL_MS): Promise<RedisStore> {
    let connected = false;
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      connectTimeout: 5_000,
      retryStrategy: (times) => (connected ? Math.min(times * 200, 1_000) : times > 5 ? null : times * 200),
    });
    redis.on('error', () => {}); // surfaced through the failing command instead
    try {
      await redis.connect();
      connected = true;
    } catch (error) {
      redis.disconnect();
      throw new ProcessError(`cannot reach Redis at ${url}: ${(error as Error).message} (set MPFLOW_REDIS_URL, or run \`mpflow dev up\`)`);
    }
    return new RedisStore(redis, url, keyTtlMs);
  }

  get redis(): Redis {
    return this.#redis;
  }

  execute<K extends StateOpName>(runId: string, op: StateOp<K>, hooks: WaitHooks = {}): Promise<StateResult<K>> {
    const handler = this.#handlers[op.op] as unknown as (context: OpContext, op: StateOp<K>) => Promise<StateResult<K>>;
    return handler({ keys: runKeys(runId), hooks }, op);
  }

  /** Removes every key of a run; returns the run's usage, read just before. */
  async cleanupRun(runId: string): Promise<RunUsage> {
    const recorded = await this.#redis.hgetall(runKeys(runId).usage);
    const usage: RunUsage = { invocations: 0, billedMs: 0, gbMs: 0, redisCommands: 0 };
    for (const field of Object.keys(usage) as (keyof RunUsage)[]) usage[field] = Number(recorded[field] ?? 0);
    const stream = this.#redis.scanStream({ match: runKeys(runId).all, count: 500 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      if (batch.length > 0) await this.#redis.unlink(...batch);
    }
    return usage;
  }

  async close(): Promise<void> {
    clearInterval(this.#renewer);
    this.#exactIntegers?.disconnect();
    for (const connection of this.#idleBlocking.splice(0)) connection.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  readonly #handlers: { [K in StateOpName]: (context: OpContext, op: StateOp<K>) => Promise<StateResult<K>> } = {
    // Queues: getters block on the items list itself; putters to a full queue are waiters, woken by gets.
    'queue.put': async (context, op) => {
      const { keys } = context;
      const putters = keys.part('queue', op.key, 'putters');
      const item = asBuffer(op.item);
      const joinable = op.joinable ? '1' : '0';
      const added = await this.#wait(context, op, putters, async (waiter) =>
        (await this.#redis.queuePut(keys.object('queue', op.key), keys.part('queue', op.key, 'unfinished'), putters, item, op.maxsize, this.#ttl, joinable, waiter)) === 1 ? true : undefined,
      );
      return added ?? false;
    },
    'queue.get': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const items = keys.object('queue', key);
      const putters = keys.part('queue', key, 'putters');
      const item = await this.#redis.queueGetBuffer(items, putters, keys.wakePrefix, this.#ttl);
      if (item || !block) return item;
      const popped = await this.#blockingPop(items, timeoutMs, hooks);
      if (popped) await this.#redis.wakeWaiters(putters, keys.wakePrefix, 1, this.#ttl);
      return popped;
    },
    'queue.qsize': ({ keys }, { key }) => this.#redis.llen(keys.object('queue', key)),
    'queue.taskDone': ({ keys }, { key }) =>
      this.#redis.queueTaskDone(keys.part('queue', key, 'unfinished'), keys.part('queue', key, 'joiners'), keys.wakePrefix, this.#ttl),
    'queue.join': async (context, op) => {
      const { keys } = context;
      const joiners = keys.part('queue', op.key, 'joiners');
      const joined = await this.#wait(context, op, joiners, async (waiter) =>
        (await this.#redis.queueJoin(keys.part('queue', op.key, 'unfinished'), joiners, waiter, this.#ttl)) === 1 ? true : undefined,
      );
      return joined ?? false;
    },

    // Locks: an owner-aware hash with an optional lease.
    'lock.acquire': (context, op) => this.#acquireLock(context, op),
    'lock.release': async ({ keys }, { key, owner, reentrant }) => {
      const lock = keys.object('lock', key);
      const released = await this.#redis.lockRelease(lock, keys.part('lock', key, 'waiters'), owner, reentrant ? '1' : '0', keys.wakePrefix, this.#ttl);
      if (released === 2) this.#leased.delete(lock);
      return released;
    },

    'semaphore.acquire': async (context, op) => {
      const { keys } = context;
      const waiters = keys.part('semaphore', op.key, 'waiters');
      const acquired = await this.#wait(context, op, waiters, async (waiter) =>
        (await this.#redis.semaphoreAcquire(keys.object('semaphore', op.key), waiters, op.initial, waiter, this.#ttl)) === 1 ? true : undefined,
      );
      return acquired ?? false;
    },
    'semaphore.release': ({ keys }, { key, initial, n, bound }) =>
      this.#redis.semaphoreRelease(keys.object('semaphore', key), keys.part('semaphore', key, 'waiters'), initial, n, bound, keys.wakePrefix, this.#ttl),
    'semaphore.value': async ({ keys }, { key, initial }) => Number((await this.#redis.get(keys.object('semaphore', key))) ?? initial),

    'event.set': async ({ keys }, { key }) => (await this.#redis.eventSet(keys.object('event', key), keys.part('event', key, 'waiters'), keys.wakePrefix, this.#ttl)) === 1,
    'event.clear': async ({ keys }, { key }) => (await this.#redis.del(keys.object('event', key))) >= 0,
    'event.isSet': async ({ keys }, { key }) => (await this.#redis.exists(keys.object('event', key))) === 1,
    'event.wait': async (context, op) => {
      const { keys } = context;
      const waiters = keys.part('event', op.key, 'waiters');
      const set = await this.#wait(context, op, waiters, async (waiter) =>
        (await this.#redis.eventWait(keys.object('event', op.key), waiters, waiter, this.#ttl)) === 1 ? true : undefined,
      );
      return set ?? false;
    },

    // Condition.wait: release the lock and register in one step, wait to be notified, take the lock back.
    'condition.wait': async (context, op) => {
      const { keys, hooks } = context;
      const waiter = randomUUID();
      const waiters = keys.part('condition', op.key, 'waiters');
      const lock = keys.object('lock', op.lockKey);
      const count = await this.#redis.conditionWait(lock, keys.part('lock', op.lockKey, 'waiters'), waiters, op.owner, waiter, keys.wakePrefix, this.#ttl);
      if (count < 0) return null;
      const notified = (await this.#blockingPop(keys.wake(waiter), op.timeoutMs, hooks)) !== null;
      if (!notified) await this.#redis.lrem(waiters, 0, waiter);
      await this.#acquireLock(context, { op: 'lock.acquire', key: op.lockKey, owner: op.owner, reentrant: op.reentrant, leaseMs: op.leaseMs, block: true }, count);
      return notified;
    },
    'condition.notify': ({ keys }, { key, lockKey, owner, n }) =>
      this.#redis.conditionNotify(keys.object('lock', lockKey), keys.part('condition', key, 'waiters'), owner, n, keys.wakePrefix, this.#ttl),

    'barrier.arrive': async ({ keys }, { key }) => {
      const [index, generation, broken] = await this.#redis.barrierArrive(keys.object('barrier', key), this.#ttl);
      return [index, generation, broken === 1];
    },
    'barrier.trip': async ({ keys }, { key, generation }) =>
      (await this.#redis.barrierTrip(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), generation, keys.wakePrefix, this.#ttl)) === 1,
    'barrier.await': async (context, op) => {
      const { keys } = context;
      const waiters = keys.part('barrier', op.key, 'waiters');
      const outcome = await this.#wait(context, op, waiters, async (waiter) =>
        ((await this.#redis.barrierAwait(keys.object('barrier', op.key), waiters, op.generation, waiter, this.#ttl)) ?? undefined) as 'tripped' | 'broken' | undefined,
      );
      return outcome ?? null;
    },
    'barrier.abort': async ({ keys }, { key }) => (await this.#redis.barrierBreak(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), 'abort', keys.wakePrefix, this.#ttl)) === 1,
    'barrier.reset': async ({ keys }, { key }) => (await this.#redis.barrierBreak(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), 'reset', keys.wakePrefix, this.#ttl)) === 1,
    'barrier.state': async ({ keys }, { key }) => {
      const [count, broken] = await this.#redis.hmget(keys.object('barrier', key), 'count', 'broken');
      return [Number(count ?? 0), broken === '1'];
    },

    // Connections: one list per direction; the reader of a list is its only consumer.
    'connection.send': ({ keys }, { key, message }) => this.#redis.listPush(keys.object('connection', key), this.#ttl, asBuffer(message)),
    'connection.recv': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const list = keys.object('connection', key);
      const message = await this.#redis.lpopBuffer(list);
      if (message || !block) return message;
      return this.#blockingPop(list, timeoutMs, hooks);
    },
    'connection.poll': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const list = keys.object('connection', key);
      const readable = (await this.#redis.llen(list)) > 0;
      if (readable || !block) return readable;
      return this.#blocking(hooks, timeoutMs, (connection, seconds) => connection.blmove(list, list, 'LEFT', 'LEFT', seconds)).then((moved) => moved !== null);
    },
    'connection.waitAny': async ({ keys, hooks }, { keys: ids, block, timeoutMs }) => {
      const lists = ids.map((id) => keys.object('connection', id));
      const lengths = await Promise.all(lists.map((list) => this.#redis.llen(list)));
      const ready = ids.filter((_, i) => lengths[i] > 0);
      if (ready.length > 0 || !block) return ready;
      const popped = await this.#blocking(hooks, timeoutMs, (connection, seconds) => connection.blpopBuffer(...lists, seconds));
      if (!popped) return [];
      // Put the message back where it was: waiting must not consume it.
      await this.#redis.lpush(popped[0].toString(), popped[1]);
      return [ids[lists.indexOf(popped[0].toString())]];
    },

    // Shared arrays: packed big-endian bytes, so slices move in one round trip and BITFIELD can add.
    'array.init': async ({ keys }, { key, length, bytes }) => {
      const array = keys.object('array', key);
      if (bytes) await this.#redis.set(array, asBuffer(bytes), 'PX', this.#ttl);
      else await this.#redis.multi().set(array, '', 'PX', this.#ttl).setrange(array, Math.max(length - 1, 0), length > 0 ? '\0' : '').exec();
      return true;
    },
    'array.read': async ({ keys }, { key, start, end }) => {
      if (end <= start) return new Uint8Array(0);
      const bytes = await this.#redis.getrangeBuffer(keys.object('array', key), start, end - 1);
      if (bytes.length === end - start) return bytes;
      const padded = new Uint8Array(end - start);
      padded.set(bytes);
      return padded;
    },
    'array.write': ({ keys }, { key, offset, bytes }) => this.#redis.setrange(keys.object('array', key), offset, asBuffer(bytes)),
    'array.add': async ({ keys }, { key, offset, typecode, delta }) => {
      const array = keys.object('array', key);
      if (typecode === 'f' || typecode === 'd') return this.#redis.arrayAddFloat(array, offset, typecode, delta, this.#ttl);
      // Integer replies as text: a 64-bit value does not fit a JavaScript number.
      this.#exactIntegers ??= this.#connection({ stringNumbers: true });
      const [value] = (await this.#exactIntegers.bitfield(array, 'OVERFLOW', 'WRAP', 'INCRBY', BITFIELD_TYPES[typecode], offset * 8, delta)) as unknown as string[];
      return String(value);
    },

    // Manager dicts (hashes) and lists, keys and values in the one codec.
    'dict.get': ({ keys }, { key, field }) => this.#redis.hgetBuffer(keys.object('dict', key), asBuffer(field)),
    'dict.set': async ({ keys }, { key, field, value }) => {
      const dict = keys.object('dict', key);
      await this.#redis.multi().hset(dict, asBuffer(field), asBuffer(value)).pexpire(dict, this.#ttl).exec();
      return true;
    },
    'dict.delete': async ({ keys }, { key, field }) => (await this.#redis.hdel(keys.object('dict', key), asBuffer(field))) === 1,
    'dict.has': async ({ keys }, { key, field }) => (await this.#redis.hexists(keys.object('dict', key), asBuffer(field))) === 1,
    'dict.items': async ({ keys }, { key }) => {
      const flat = await this.#redis.callBuffer('HGETALL', keys.object('dict', key)) as Buffer[];
      const entries: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      return entries;
    },
    'dict.length': ({ keys }, { key }) => this.#redis.hlen(keys.object('dict', key)),
    'dict.clear': async ({ keys }, { key }) => (await this.#redis.del(keys.object('dict', key))) >= 0,
    'dict.update': async ({ keys }, { key, entries }) => {
      if (entries.length === 0) return true;
      const dict = keys.object('dict', key);
      await this.#redis.multi().hset(dict, ...entries.flatMap(([field, value]) => [asBuffer(field), asBuffer(value)])).pexpire(dict, this.#ttl).exec();
      return true;
    },
    'dict.pop': ({ keys }, { key, field }) => this.#redis.dictPopBuffer(keys.object('dict', key), asBuffer(field)),
    'dict.setdefault': ({ keys }, { key, field, value }) => this.#redis.dictSetdefaultBuffer(keys.object('dict', key), asBuffer(field), asBuffer(value), this.#ttl),
    'list.push': ({ keys }, { key, values }) => this.#redis.listPush(keys.object('list', key), this.#ttl, ...values.map(asBuffer)),
    'list.insert': ({ keys }, { key, index, value }) => this.#redis.listInsert(keys.object('list', key), index, asBuffer(value), this.#ttl),
    'list.pop': ({ keys }, { key, index }) => this.#redis.listPopBuffer(keys.object('list', key), index, DELETED_MARKER),
    'list.remove': async ({ keys }, { key, value }) => (await this.#redis.lrem(keys.object('list', key), 1, asBuffer(value))) === 1,
    'list.index': async ({ keys }, { key, value }) => (await this.#redis.lpos(keys.object('list', key), asBuffer(value) as unknown as string)) ?? null,
    'list.get': ({ keys }, { key, index }) => this.#redis.lindexBuffer(keys.object('list', key), index),
    'list.set': async ({ keys }, { key, index, value }) => {
      try {
        await this.#redis.lset(keys.object('list', key), index, asBuffer(value));
        return true;
      } catch {
        return false;
      }
    },
    'list.slice': ({ keys }, { key, start, stop }) => this.#redis.lrangeBuffer(keys.object('list', key), start, stop),
    'list.length': ({ keys }, { key }) => this.#redis.llen(keys.object('list', key)),
    'list.sort': async ({ keys }, { key, reverse }) => (await this.#redis.listSort(keys.object('list', key), reverse ? '1' : '0')) === 1,

    // Pools in queue dispatch (scripts/includes/pool.lua has the layout).
    'pool.submit': ({ keys }, { key, job, calls, stragglerFactor, stragglerMinMs }) =>
      this.#redis.poolSubmit(keys.object('pool', key), keys.wakePrefix, this.#ttl, job, stragglerFactor, stragglerMinMs, ...calls.map((call) => asBuffer(dumps(call)))),
    'pool.collect': async (context, op) => {
      const pool = context.keys.object('pool', op.key);
      const entries = await this.#wait(context, op, context.keys.part('pool', op.key, `collectors:${op.job}`), async (waiter) => {
        const flat = await this.#redis.poolCollectBuffer(pool, op.job, op.cursor, op.need, waiter, this.#ttl);
        if (flat[0] === -1) return 'terminated' as const;
        if (flat.length === 0) return undefined;
        const pairs: [number, Uint8Array][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as Buffer]);
        return pairs;
      }, 'zset');
      return entries ?? [];
    },
    'pool.stop': async ({ keys }, { key, how }) => (await this.#redis.poolStop(keys.object('pool', key), how, keys.wakePrefix, this.#ttl)) === 1,

    'object.load': ({ keys }, { key }) => this.#redis.getBuffer(keys.object('object', key)),
    'object.store': async ({ keys }, { key, state }) => (await this.#redis.set(keys.object('object', key), asBuffer(state), 'PX', this.#ttl)) === 'OK',
  };

  /**
   * Whether a pool still needs workers: it exists (its run is not over) and is open, or closed
   * with chunks still waiting or running. Read without a script: a stale answer only delays a
   * decision by one look.
   */
  async poolNeedsWorkers(runId: string, poolId: string): Promise<boolean> {
    const pool = runKeys(runId).object('pool', poolId);
    const [[, state], [, waiting], [, running]] = (await this.#redis.multi().hget(pool, 'state').llen(`${pool}:jobs`).zcard(`${pool}:leases`).exec())! as [unknown, unknown][];
    if (state === null || state === 'terminated') return false;
    return state === 'open' || Number(waiting) + Number(running) > 0;
  }

  /**
   * Claims up to `count` chunks for a pool worker's free slots, straggler copies too when `stragglers`;
   * `waiter` is registered as idle when there are none.
   */
  async poolClaim(runId: string, poolId: string, count: number, leaseMs: number, waiter: string, stragglers: boolean): Promise<Claim> {
    return parseClaim(await this.#redis.poolClaimBuffer(runKeys(runId).object('pool', poolId), count, leaseMs, waiter, this.#ttl, stragglers ? '1' : '0'));
  }

  /** Records a chunk's outcome (the first copy's wins) and claims the slot's next chunk. */
  async poolComplete(runId: string, poolId: string, id: string, outcome: Uint8Array, ok: boolean, leaseMs: number): Promise<Claim> {
    const keys = runKeys(runId);
    return parseClaim(
      await this.#redis.poolCompleteBuffer(keys.object('pool', poolId), keys.wakePrefix, this.#ttl, id, asBuffer(outcome), ok ? '1' : '0', leaseMs),
    );
  }

  /** Renews the leases of running chunks; false for each one that must stop (done elsewhere, or the pool terminated). */
  async poolRenew(runId: string, poolId: string, ids: string[], leaseMs: number): Promise<boolean[]> {
    if (ids.length === 0) return [];
    return (await this.#redis.poolRenew(runKeys(runId).object('pool', poolId), leaseMs, ...ids)).map((keep) => keep === 1);
  }

  /** Waits until an idle waiter is woken or `timeoutMs` passes. */
  async awaitWake(runId: string, waiter: string, timeoutMs: number, hooks: WaitHooks): Promise<boolean> {
    return (await this.#blockingPop(runKeys(runId).wake(waiter), timeoutMs, hooks)) !== null;
  }

  /** Another connection like the main one; its errors surface through the failing command. */
  #connection(options: RedisOptions = {}): Redis {
    const connection = this.#redis.duplicate(options);
    connection.on('error', () => {});
    return connection;
  }

  async #acquireLock({ keys, hooks }: OpContext, op: StateOp<'lock.acquire'>, count = 1): Promise<boolean> {
    const lock = keys.object('lock', op.key);
    const waiters = keys.part('lock', op.key, 'waiters');
    const acquired =
      (await this.#wait({ keys, hooks }, op, waiters, async (waiter) =>
        (await this.#redis.lockAcquire(lock, waiters, op.owner, op.reentrant ? '1' : '0', op.leaseMs, waiter, this.#ttl, count)) === 1 ? true : undefined,
      )) ?? false;
    if (acquired && op.leaseMs > 0) this.#keepLeased(lock, op.owner, op.leaseMs);
    return acquired;
  }

  /** Renews leased locks at a third of their lease, for as long as this store lives. */
  #keepLeased(lock: string, owner: string, leaseMs: number): void {
    this.#leased.set(lock, { owner, leaseMs });
    this.#renewer ??= setInterval(() => {
      for (const [key, held] of this.#leased) {
        this.#redis.lockRenew(key, held.owner, held.leaseMs).then((renewed) => renewed || this.#leased.delete(key), () => {});
      }
    }, leaseMs / 3);
    this.#renewer.unref();
  }

  /**
   * Tries `attempt` (which registers `waiter` on `waiters` when it cannot proceed) until it
   * proceeds or the op's timeout passes; undefined means it never could.
   */
  async #wait<T>(
    { keys, hooks }: OpContext,
    op: { block?: boolean; timeoutMs?: number },
    waiters: string,
    attempt: (waiter: string) => Promise<T | undefined>,
    waitersKind: 'list' | 'zset' = 'list',
  ): Promise<T | undefined> {
    if (!op.block) return attempt('');
    const waiter = randomUUID();
    const deadline = op.timeoutMs === undefined ? undefined : Date.now() + op.timeoutMs;
    // The scripts register a waiter only when it cannot proceed: nothing to clean up otherwise.
    let registered = false;
    try {
      for (;;) {
        const result = await attempt(waiter);
        if (result !== undefined) return result;
        registered = true;
        const remaining = deadline === undefined ? BLOCKING_SLICE_MS : Math.min(deadline - Date.now(), BLOCKING_SLICE_MS);
        if (remaining <= 0) return attempt('');
        await this.#blockingPop(keys.wake(waiter), remaining, hooks);
      }
    } finally {
      if (registered) {
        const forget = waitersKind === 'list' ? this.#redis.multi().lrem(waiters, 0, waiter) : this.#redis.multi().zrem(waiters, waiter);
        await forget.del(keys.wake(waiter)).exec();
      }
    }
  }

  #blockingPop(key: string, timeoutMs: number | undefined, hooks: WaitHooks): Promise<Buffer | null> {
    return this.#blocking(hooks, timeoutMs, (connection, seconds) => connection.blpopBuffer(key, seconds)).then((popped) => popped?.[1] ?? null);
  }

  /**
   * Runs a blocking command in slices on a connection of its own, until it answers or
   * `timeoutMs` passes; an abort drops the connection to stop waiting at once.
   */
  async #blocking<T>({ signal }: WaitHooks, timeoutMs: number | undefined, command: (connection: Redis, seconds: number) => Promise<T | null>): Promise<T | null> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const connection = this.#idleBlocking.pop() ?? this.#connection();
    const abort = () => connection.disconnect();
    signal?.addEventListener('abort', abort, { once: true });
    let reusable = true;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const remaining = deadline === undefined ? BLOCKING_SLICE_MS : Math.min(deadline - Date.now(), BLOCKING_SLICE_MS);
        if (remaining <= 0) return null;
        const answer = await command(connection, Math.max(remaining, 1) / 1000);
        if (answer !== null) return answer;
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

function parseClaim([status, hint, ...idsAndCalls]: ClaimReply): Claim {
  const chunks: Claim['chunks'] = [];
  for (let i = 0; i < idsAndCalls.length; i += 2) chunks.push({ id: idsAndCalls[i].toString(), call: idsAndCalls[i + 1] });
  return { status: status.toString() as Claim['status'], chunks, hintMs: hint };
}

function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
