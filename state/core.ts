/**
 * The store's core: one Redis connection with the scripts on it, the run keys' backstop TTL,
 * and the wait protocol every blocking operation shares.
 *
 * Waiting is one mechanism for every primitive: a try-script either does the operation or
 * registers the caller on the object's waiters list, atomically, so no wake-up is lost;
 * whoever changes the state pushes a token on the wake-up list of the waiters it releases;
 * the waiter blocks on its own wake-up list in slices and tries again after each (a slice
 * also notices a dead lock holder's lease running out).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { setupProblem } from '../mp-shim/setup-problems.js';
import { SetupError } from '../mp-shim/errors.js';
import { dumps, loads } from '../mp-shim/serialization.js';
import { isNotYet, type StateOp, type StateOpName, type StateResult } from '../mp-shim/transport.js';
import { isSealed, missingKey, sealingKeyId, type ValueCipher } from './cipher.js';
import type { RunKeys } from './keys.js';
import { defineScripts, type Once, type Scripts } from './scripts.js';

/** Longest single blocking call: a waiter tries again this often (a dead holder's lease may have run out). */
const BLOCKING_SLICE_MS = 2_000;

export interface WaitHooks {
  /** Stops the wait (an activity's cancellation). */
  signal?: AbortSignal;
}

/** What a handler gets: the run's keys, how its wait may be stopped, and the operation's identity. */
export interface OpContext {
  keys: RunKeys;
  hooks: WaitHooks;
  /** The operation's identity, unique in the run ('' when it has none). */
  identity: string;
  /** The records hash where a script marked `--@once` records its answer, and the rest of what it needs. */
  record: string;
  once: Once;
  /** Where a blocking get or recv moves what it got until its script records it. */
  held: string;
}

export type OpHandler<K extends StateOpName> = (context: OpContext, op: StateOp<K>) => Promise<StateResult<K>>;
/** Handlers of the operations named `K`: a family's module provides those of its prefix. */
export type OpHandlers<K extends StateOpName> = { [P in K]: OpHandler<P> };
/** The operations of one mp-shim family, by prefix (`queue`, `lock`…). */
export type OpsOf<Prefix extends string> = Extract<StateOpName, `${Prefix}.${string}`>;

export class StoreCore {
  readonly #idleBlocking: (Redis & Scripts)[] = [];
  /** Connections a blocking command waits on now: closing the store ends their waits too, or they would hold the process open. */
  readonly #busyBlocking = new Set<Redis & Scripts>();
  #closed = false;
  #commandsSent = 0;

  private constructor(
    /** The connection with the scripts; only the modules of state/ use it. */
    readonly redis: Redis & Scripts,
    readonly url: string,
    /** Backstop expiry of a run's keys, for runs that never reach their cleanup. */
    readonly ttl: number,
    /** Seals the user's data before it is stored (MPFLOW_ENCRYPTION_KEY); none: stored as given. */
    private readonly cipher?: ValueCipher,
  ) {
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<typeof send>) => {
      this.#commandsSent++;
      return send(...args);
    }) as typeof redis.sendCommand;
  }

  /**
   * Connects, or fails at once with an error naming the URL. Once connected, a lost connection
   * (Redis restarting) is re-established for as long as it takes; commands issued meanwhile fail
   * after a few attempts, and the activity that issued them is retried.
   */
  static async connect(url: string, keyTtlMs: number, cipher?: ValueCipher): Promise<StoreCore> {
    let connected = false;
    const { server, ca } = splitRedisUrl(url);
    const redis = new Redis(server, {
      ...(ca ? { tls: { ca } } : {}),
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      connectTimeout: 5_000,
      retryStrategy: (times) => (connected ? Math.min(times * 200, 1_000) : times > 5 ? null : times * 200),
    });
    // Surfaced through the failing command instead; while connecting, the server's refusal (NOAUTH, WRONGPASS) is the reason.
    let refusal: Error | undefined;
    redis.on('error', (error: Error) => {
      if (!connected) refusal ??= error;
    });
    try {
      await redis.connect();
      connected = true;
    } catch (error) {
      redis.disconnect();
      const reason = refusal ?? (error as Error);
      const shown = maskedUrl(url);
      throw setupProblem(reason, { what: `Redis at ${shown}` }) ?? new SetupError(`cannot reach Redis at ${shown}: ${reason.message} (set MPFLOW_REDIS_URL, or run \`mpflow dev up\`)`);
    }
    return new StoreCore(defineScripts(redis), url, keyTtlMs, cipher);
  }

  /** The user's data as it is stored: sealed when a key is configured, deterministically by default (Redis compares values). */
  seal(bytes: Uint8Array, deterministic = true): Uint8Array {
    return this.cipher ? this.cipher.seal(bytes, deterministic) : bytes;
  }

  /** Stored data as the user gave it; sealed data without the key is a SetupError naming the key. */
  open(bytes: Uint8Array): Uint8Array {
    if (this.cipher) return this.cipher.open(bytes);
    if (isSealed(bytes)) throw missingKey(sealingKeyId(bytes));
    return bytes;
  }

  /** Whether stored values are sealed (Redis cannot then look inside them: `list.sort`). */
  get sealing(): boolean {
    return this.cipher !== undefined;
  }

  /** What a process started from this one (a task thread) needs in its environment to seal and open the same way. */
  get environment(): Record<string, string> {
    return this.cipher?.environment ?? {};
  }

  /** Commands sent on the main connection so far (a Lambda invocation reports its own for the cost report). */
  get commandsSent(): number {
    return this.#commandsSent;
  }

  /** Another connection like the main one, with the scripts; its errors surface through the failing command. */
  #connection(): Redis & Scripts {
    const connection = defineScripts(this.redis.duplicate());
    connection.on('error', () => {});
    return connection;
  }

  /**
   * The handler of an operation that changes nothing (a read, a wait), made to answer a repeat
   * the same: its first answer is recorded after the fact, so that a program replayed or a chunk
   * run again takes the path it took. Only answers that may be replayed are kept (an identity
   * kept as long as the run); a provisional "not yet" is not an answer (a longer wait with the
   * same identity follows it).
   */
  observes<K extends StateOpName>(handler: OpHandler<K>): OpHandler<K> {
    return async (context, op) => {
      const [field, keep] = context.once;
      if (keep === 0 || op.opKeepMs !== undefined) return handler(context, op);
      const { record } = context;
      if (!op.block) {
        // A read goes with the look at the record, and its record is sent without waiting for it:
        // it reaches Redis before anything this connection sends next, so whatever follows the
        // read is repeated only with it. (It fails only with the connection, which the next
        // command reports.)
        const [recorded, answer] = await Promise.all([this.redis.hgetBuffer(record, field), handler(context, op)]);
        if (recorded) return loads<StateResult<K>>(recorded);
        this.redis.pipeline().hsetnx(record, field, Buffer.from(dumps(answer))).pexpire(record, keep).exec().catch(() => {});
        return answer;
      }
      // A wait only starts when there is no answer yet, and a copy of it racing this one may answer first.
      const recorded = await this.redis.hgetBuffer(record, field);
      if (recorded) return loads<StateResult<K>>(recorded);
      const answer = await handler(context, op);
      if (op.provisional && isNotYet(op.op, answer)) return answer;
      const [[, first], , [, kept]] = (await this.redis.multi().hsetnx(record, field, Buffer.from(dumps(answer))).pexpire(record, keep).hgetBuffer(record, field).exec())! as [unknown, unknown][];
      return first === 1 ? answer : loads<StateResult<K>>(kept as Buffer);
    };
  }

  /**
   * Tries `attempt` (which registers `waiter` on `waiters` when it cannot proceed) until it
   * proceeds or the op's timeout passes; undefined means it never could. A wait on several
   * objects at once (`connection.wait`) registers on the waiters list of each.
   */
  async wait<T>(
    { keys, hooks }: OpContext,
    op: { block?: boolean; timeoutMs?: number },
    waiters: string | string[],
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
        await this.blockingPop(keys.wake(waiter), remaining, hooks);
      }
    } finally {
      if (registered) {
        const forget = this.redis.multi();
        for (const list of typeof waiters === 'string' ? [waiters] : waiters) {
          if (waitersKind === 'list') forget.lrem(list, 0, waiter);
          else forget.zrem(list, waiter);
        }
        await forget.del(keys.wake(waiter)).exec();
      }
    }
  }

  blockingPop(key: string, timeoutMs: number | undefined, hooks: WaitHooks): Promise<Buffer | null> {
    return this.blocking(hooks, timeoutMs, (connection, seconds) => connection.blpopBuffer(key, seconds)).then((popped) => popped?.[1] ?? null);
  }

  /**
   * A get or recv: `take` (a script that takes the item `held` has, else the oldest of `items`)
   * until it has one or the op's timeout passes. A blocking take waits on `items` itself, on a
   * connection of its own, moving what arrives into `held`, with `take` sent right behind the
   * wait: Redis runs it the moment the wait ends, so an item reaches the caller in the wait's
   * own round trip. An operation that may have been answered already (it has a record: a
   * straggler's copy, a zombie attempt, a workflow task run again) looks before it waits.
   */
  async take({ hooks, held, once }: OpContext, op: { block?: boolean; timeoutMs?: number }, items: string, take: (connection: Redis & Scripts) => Promise<Buffer | null>): Promise<Buffer | null> {
    const [, keep] = once;
    if (!op.block || keep > 0) {
      const item = await take(this.redis);
      if (item || !op.block) return item;
    }
    return this.blocking(hooks, op.timeoutMs, async (connection, seconds) => {
      const [, item] = await Promise.all([connection.blmove(items, held, 'LEFT', 'RIGHT', seconds), take(connection)]);
      return item;
    });
  }

  /**
   * Runs a blocking command in slices on a connection of its own, until it answers or
   * `timeoutMs` passes; an abort drops the connection to stop waiting at once.
   */
  async blocking<T>({ signal }: WaitHooks, timeoutMs: number | undefined, command: (connection: Redis & Scripts, seconds: number) => Promise<T | null>): Promise<T | null> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const connection = this.#idleBlocking.pop() ?? this.#connection();
    this.#busyBlocking.add(connection);
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
      this.#busyBlocking.delete(connection);
      if (reusable && !this.#closed) this.#idleBlocking.push(connection);
      else connection.disconnect();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const connection of [...this.#idleBlocking.splice(0), ...this.#busyBlocking]) connection.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The query parameter of a Redis URL that carries the PEM of a CA to trust (base64url): the URL alone names the endpoint wherever it goes (threads, Lambda). */
const CA_PARAM = 'mpflow-ca';

/** `url` that also trusts `caPem` for its TLS (a rediss:// URL of a server whose certificate a private CA signed). */
export function redisUrlTrusting(url: string, caPem: string | undefined): string {
  if (!caPem) return url;
  const parsed = new URL(url);
  parsed.searchParams.set(CA_PARAM, Buffer.from(caPem).toString('base64url'));
  return parsed.href;
}

function splitRedisUrl(url: string): { server: string; ca?: string } {
  const parsed = new URL(url);
  const ca = parsed.searchParams.get(CA_PARAM);
  if (ca === null) return { server: url };
  parsed.searchParams.delete(CA_PARAM);
  return { server: parsed.href, ca: Buffer.from(ca, 'base64url').toString() };
}

/** `url` as messages and logs show it: its password hidden, no CA. */
export function maskedUrl(url: string): string {
  return splitRedisUrl(url).server.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
