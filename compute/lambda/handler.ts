/**
 * The Lambda function mpflow deploys: the program's tasks bundled with this handler (see
 * infra/lambda-deploy.ts). A container loads them once; warm invocations reuse them and the
 * Redis connection. An invocation either runs one chunk, as a worker thread of the local
 * backend would, and answers its outcome (by claim check when larger than a response may be),
 * or is a pool worker of queue dispatch: it runs one slot's chunks from the pool's job queue
 * until the pool is done, or until shortly before the function's timeout, when it leaves and
 * the backend starts another in its place.
 */
import { runKeys } from '../../state/keys.js';
import { dumps, loads } from '../../mp-shim/serialization.js';
import type { ChunkCall, PoolWorkerSpec } from '../../mp-shim/transport.js';
import type { RedisStore } from '../../state/store.js';
import { keepClaim, RedisClaims } from '../../workers/claim-check.js';
import type { RunContext } from '../backend.js';
import { runPoolWorker } from '../pool-worker.js';
import type { ThreadRequest } from '../task-runtime.js';
import runChunk, { provideTasks, redisStore } from '../task-runtime.js';

/** Lambda takes and answers at most 6 MB; base64 takes 4/3 of that. */
export const MAX_INLINE_OUTCOME_BYTES = 4 * 1024 * 1024;
/** A pool worker leaves this share of its time (at least LEAVE_EARLY_MIN_MS, at most half) before the function's timeout. */
const LEAVE_EARLY_SHARE = 0.1;
const LEAVE_EARLY_MIN_MS = 10_000;
/** How long a pool worker's `running` mark outlives its last beat: past it, the backend presumes it dead. */
export const WORKER_MARK_MS = 5_000;

/** What the backend sends for a chunk: `dumps(ThreadRequest)`, base64, or the claim of it in Redis when too large for a request. */
export type ChunkEvent = { request: string } | { claim: string; redisUrl: string };

/** What the backend sends to start a pool worker: `dumps(PoolWorkerStart)`, base64. */
export interface PoolWorkerEvent {
  poolWorker: string;
}

export interface PoolWorkerStart {
  context: RunContext;
  spec: PoolWorkerSpec;
}

/** What a pool worker invocation leaves in its mark when it ends. */
export type WorkerMark = 'starting' | 'running' | 'left' | 'done';

/** What the handler answers for a chunk: its `dumps(Outcome)` inline (base64) or claimed in Redis, how long it ran, and the Redis commands it sent. */
export interface ChunkReply {
  outcome?: string;
  claim?: string;
  durationMs: number;
  redisCommands: number;
}

interface LambdaContext {
  getRemainingTimeInMillis(): number;
  memoryLimitInMB: string | number;
}

export function lambdaHandler(tasks: Record<string, unknown>) {
  return async (event: ChunkEvent | PoolWorkerEvent, lambda: LambdaContext): Promise<ChunkReply | WorkerMark> => {
    if ('poolWorker' in event) return hostPoolWorker(loads<PoolWorkerStart>(Buffer.from(event.poolWorker, 'base64')), tasks, lambda);
    const started = performance.now();
    const request = loads<ThreadRequest>('request' in event ? Buffer.from(event.request, 'base64') : await claimed(new RedisClaims((await redisStore(event.redisUrl)).redis), event.claim, 'the request'));
    provideTasks(request.context.tasksModule, tasks);
    const store = await redisStore(request.context.redisUrl);
    const commandsBefore = store.commandsSent;
    const outcome = await runChunk(request);
    const reply = { durationMs: performance.now() - started, redisCommands: store.commandsSent - commandsBefore };
    if (outcome.length <= MAX_INLINE_OUTCOME_BYTES) return { outcome: Buffer.from(outcome).toString('base64'), ...reply };
    return { claim: await keepClaim(new RedisClaims(store.redis), outcome), ...reply };
  };
}

/** One slot's pool worker, marking in Redis that it runs, and at its end whether it left early or the pool is done. */
async function hostPoolWorker({ context, spec }: PoolWorkerStart, tasks: Record<string, unknown>, lambda: LambdaContext): Promise<WorkerMark> {
  const started = performance.now();
  provideTasks(context.tasksModule, tasks);
  const store = await redisStore(context.redisUrl);
  const commandsBefore = store.commandsSent;
  const mark = runKeys(context.runId).lambdaWorker(spec.poolId, spec.firstSlot);
  const setMark = (state: WorkerMark, ttlMs: number) => store.redis.set(mark, state, 'PX', ttlMs);
  const leave = new AbortController();
  const remaining = lambda.getRemainingTimeInMillis();
  const timer = setTimeout(() => leave.abort(), remaining - Math.min(Math.max(remaining * LEAVE_EARLY_SHARE, LEAVE_EARLY_MIN_MS), remaining / 2));
  // A task cannot be interrupted inside this process: a discarded chunk is left to finish on its own.
  const run = (call: ChunkCall, signal: AbortSignal) =>
    Promise.race([runChunk({ call, context }), new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
  let state: WorkerMark = 'done';
  try {
    await setMark('running', WORKER_MARK_MS);
    await runPoolWorker(store, context.runId, spec, run, { signal: leave.signal, parallelism: 1, onBeat: () => void setMark('running', WORKER_MARK_MS).catch(() => {}) });
  } catch (error) {
    if (!leave.signal.aborted) throw error;
    state = 'left';
  } finally {
    clearTimeout(timer);
  }
  await setMark(state, 10 * 60_000);
  await store.addUsage(context.runId, { billedMs: Math.ceil(performance.now() - started), memoryMb: Number(lambda.memoryLimitInMB), redisCommands: store.commandsSent - commandsBefore });
  return state;
}

/** The event for a chunk: what the backend invokes the function with (Lambda takes at most 6 MB); `store` keeps a larger one. */
export async function chunkEvent(request: ThreadRequest, store: RedisStore): Promise<ChunkEvent> {
  const encoded = dumps(request);
  if (encoded.length <= MAX_INLINE_OUTCOME_BYTES) return { request: Buffer.from(encoded).toString('base64') };
  return { claim: await keepClaim(new RedisClaims(store.redis), encoded), redisUrl: request.context.redisUrl };
}

/** Bytes kept in Redis by the claim check, when too large for Lambda's request or response. */
export async function claimed(claims: RedisClaims, digest: string, what: string): Promise<Uint8Array> {
  const bytes = await claims.get(digest);
  if (!bytes) throw new Error(`${what} (claim ${digest}) is no longer in Redis`);
  return bytes;
}

export function poolWorkerEvent(start: PoolWorkerStart): PoolWorkerEvent {
  return { poolWorker: Buffer.from(dumps(start)).toString('base64') };
}
