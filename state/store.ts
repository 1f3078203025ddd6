/**
 * Shared state in Redis: every StateOp of mp-shim as one atomic Lua script or command each,
 * run by the handler module of its mp-shim family (ops/). Used directly by the local engine
 * and by tasks, and through activities by the main program under the durable engine. The
 * pool workers' job queue, the Lambda marks, the usage ledger and the claims live beside it
 * on the same connection, which nothing outside state/ reaches.
 */
import { randomUUID } from 'node:crypto';
import type { StateOp, StateOpName, StateResult } from '../mp-shim/transport.js';
import { RedisClaims } from './claims.js';
import type { ValueCipher } from './cipher.js';
import { sealedOp } from './sealed-ops.js';
import { StoreCore, type OpHandler, type OpHandlers, type WaitHooks } from './core.js';
import { CHUNK_RECORDS_AFTER_OUTCOME_MS, chunkRecords, cleanedRunKey, runKeys } from './keys.js';
import { LambdaMarks } from './lambda-marks.js';
import { LeaseKeeper, type LeaseLost, type Leases } from './leases.js';
import { connectionOps } from './ops/connection.js';
import { managerOps } from './ops/managers.js';
import { poolOps } from './ops/pool.js';
import { queueOps } from './ops/queues.js';
import { arrayOps } from './ops/sharedctypes.js';
import { synchronizeOps } from './ops/synchronize.js';
import { PoolQueue } from './pool-queue.js';
import type { Once } from './scripts.js';
import { ChunkTimeline } from './chunk-timeline.js';
import { TaskOutput } from './task-output.js';
import { UsageLedger, type RunUsage } from './usage.js';

export type { WaitHooks } from './core.js';
export type { Claim } from './pool-queue.js';
export type { RunUsage } from './usage.js';
export type { OutputLine } from './task-output.js';
export type { ChunkRunEvent } from './chunk-timeline.js';
export type { WorkerMark } from './lambda-marks.js';
export type { LeaseLost, Leases } from './leases.js';

/** Backstop expiry of a run's keys, for runs that never reach their cleanup. */
export const DEFAULT_KEY_TTL_MS = 7 * 24 * 3_600_000;
/** How long a cleanup's answer is kept for a repeat of it: a workflow task is retried within seconds. */
const CLEANED_RUN_KEPT_MS = 3_600_000;

/**
 * The operations that change nothing, reads and waits: their answers are recorded after the fact
 * (StoreCore.observes). Every other operation is a script that records its answer as it applies.
 */
const OBSERVERS = [
  'queue.qsize',
  'queue.join',
  'semaphore.value',
  'event.isSet',
  'event.wait',
  'barrier.await',
  'barrier.state',
  'connection.poll',
  'connection.waitAny',
  'array.read',
  'dict.get',
  'dict.has',
  'dict.items',
  'dict.length',
  'list.index',
  'list.get',
  'list.slice',
  'list.length',
  'object.load',
  'pool.collect',
] as const satisfies readonly StateOpName[];

export class RedisStore {
  readonly #core: StoreCore;
  readonly #leases: Leases;
  readonly #handlers: OpHandlers<StateOpName>;
  /** The pool workers' side of queue dispatch. */
  readonly pools: PoolQueue;
  /** Where Lambda pool workers say how they are. */
  readonly lambdaMarks: LambdaMarks;
  /** What the run's Lambda invocations used. */
  readonly usage: UsageLedger;
  /** Large payloads kept aside (claim check, Lambda requests and responses). */
  readonly claims: RedisClaims;
  /** What the run's tasks wrote to stdout and stderr. */
  readonly output: TaskOutput;
  /** When the run's chunks ran, and where. */
  readonly timeline: ChunkTimeline;
  /** Records of chunks to forget with the next write, and that write. */
  readonly #forgetting: string[] = [];
  #forgotten?: Promise<void>;

  private constructor(core: StoreCore, leases: Leases | undefined) {
    this.#core = core;
    this.#leases = leases ?? new LeaseKeeper(core);
    this.#handlers = {
      ...queueOps(core),
      ...connectionOps(core),
      ...synchronizeOps(core, this.#leases),
      ...arrayOps(core),
      ...managerOps(core),
      ...poolOps(core),
    };
    for (const name of OBSERVERS) this.#handlers[name] = core.observes(this.#handlers[name] as OpHandler<typeof name>) as never;
    this.pools = new PoolQueue(core);
    this.lambdaMarks = new LambdaMarks(core);
    this.usage = new UsageLedger(core);
    this.claims = new RedisClaims(core);
    this.output = new TaskOutput(core);
    this.timeline = new ChunkTimeline(core);
  }

  /**
   * Connects to Redis at `url`, or fails at once with an error naming it. The leases of locks
   * taken through this store are kept by `leases` when given (a thread hands them to its
   * parent), else renewed by the store itself.
   */
  static async connect(url: string, { keyTtlMs = DEFAULT_KEY_TTL_MS, leases, cipher }: { keyTtlMs?: number; leases?: Leases; cipher?: ValueCipher } = {}): Promise<RedisStore> {
    return new RedisStore(await StoreCore.connect(url, keyTtlMs, cipher), leases);
  }

  /** Renews leases handed over by other processes (a thread's tasks), on this store's connection. */
  leaseKeeper(onLost: LeaseLost): LeaseKeeper {
    return new LeaseKeeper(this.#core, onLost);
  }

  get url(): string {
    return this.#core.url;
  }

  /** What a process started from this one (a task thread) needs in its environment to use this store alike: its encryption key. */
  get environment(): Record<string, string> {
    return this.#core.environment;
  }

  /** Commands sent on this store's connection so far (a Lambda invocation reports its own for the cost report). */
  get commandsSent(): number {
    return this.#core.commandsSent;
  }

  /**
   * Runs a shared-state operation. One that carries an identity (`opId` among `opRecords`) runs
   * at most once in effect: a repeat answers what the first run answered, for `opKeepMs`
   * (default: as long as the run's keys live).
   */
  execute<K extends StateOpName>(runId: string, op: StateOp<K>, hooks: WaitHooks = {}): Promise<StateResult<K>> {
    const handler = this.#handlers[op.op] as unknown as OpHandler<K>;
    const keys = runKeys(runId);
    const identity = op.opId === undefined ? '' : `${op.opRecords}/${op.opId}`;
    const once: Once = identity ? [op.opId!, op.opKeepMs ?? this.#core.ttl] : ['', 0];
    const context = { keys, hooks, identity, record: keys.records(op.opRecords ?? 'none'), once, held: keys.held(identity || randomUUID()) };
    return sealedOp(this.#core, op, (sealed) => handler(context, sealed));
  }

  /**
   * Lets the records of a chunk whose outcome is in safe hands expire soon: no new attempt of it
   * will start. The chunks that end in one turn of the event loop share one write.
   */
  forgetChunk(runId: string, chunkId: string): Promise<void> {
    this.#forgetting.push(runKeys(runId).records(chunkRecords(chunkId)));
    this.#forgotten ??= new Promise(setImmediate).then(async () => {
      this.#forgotten = undefined;
      const expiring = this.#forgetting.splice(0).reduce((pipeline, records) => pipeline.pexpire(records, CHUNK_RECORDS_AFTER_OUTCOME_MS), this.#core.redis.pipeline());
      for (const [error] of (await expiring.exec())!) if (error) throw error;
    });
    return this.#forgotten;
  }

  /** Counts an event of a test hook under `namespace` (keys.counter), for the test to read. */
  async countEvent(namespace: string, name: string): Promise<number> {
    const counter = runKeys(namespace).counter(name);
    const [[, count]] = (await this.#core.redis.multi().incr(counter).pexpire(counter, this.#core.ttl).exec())! as [[unknown, number]];
    return count;
  }

  /**
   * Removes every key of a run; returns the run's usage, read first. A repeat by the same
   * workflow `execution` answers the usage the first read (kept aside for CLEANED_RUN_KEPT_MS).
   */
  async cleanupRun(runId: string, execution?: string): Promise<RunUsage> {
    const { redis } = this.#core;
    const cleaned = execution === undefined ? undefined : cleanedRunKey(runId, execution);
    const kept = cleaned && (await redis.get(cleaned));
    const usage = kept ? (JSON.parse(kept) as RunUsage) : await this.usage.read(runId);
    if (cleaned && !kept) await redis.set(cleaned, JSON.stringify(usage), 'PX', CLEANED_RUN_KEPT_MS);
    const stream = redis.scanStream({ match: runKeys(runId).all, count: 500 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      if (batch.length > 0) await redis.unlink(...batch);
    }
    return usage;
  }

  async close(): Promise<void> {
    this.#leases.close();
    await this.#core.close();
  }
}
