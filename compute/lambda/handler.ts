/**
 * The Lambda function mpflow deploys: the program's tasks bundled with this handler (see
 * infra/lambda-deploy.ts). A container loads them once; warm invocations reuse them and the
 * Redis connection. An invocation either runs one chunk, as a worker thread of the local
 * backend would, and answers its outcome (by claim check when larger than a response may be),
 * or is a pool worker of queue dispatch: it runs one slot's chunks from the pool's job queue
 * until the pool is done, or until shortly before the function's timeout, when it leaves and
 * the backend starts another in its place.
 */
import { loads } from '../../mp-shim/serialization.js';
import type { ChunkCall } from '../../mp-shim/transport.js';
import { fetchClaim, keepClaim } from '../../state/claims.js';
import type { WorkerMark } from '../../state/store.js';
import type { ThreadRequest } from '../backend.js';
import { ChunkRunRecorder } from '../chunk-runs.js';
import { runPoolWorker } from '../pool-worker.js';
import { captureTaskOutput, provideTasks, redisStore, runChunk, trapTaskExits } from '../task-runtime.js';
import { MAX_INLINE_BYTES, WORKER_MARK_MS, type ChunkEvent, type ChunkReply, type PoolWorkerEvent, type PoolWorkerStart } from './protocol.js';

/** A pool worker leaves this share of its time (at least LEAVE_EARLY_MIN_MS, at most half) before the function's timeout. */
const LEAVE_EARLY_SHARE = 0.1;
const LEAVE_EARLY_MIN_MS = 10_000;
/** A chunk still running this long before the function's timeout is abandoned to its lease (another worker takes it). */
const STOP_BEFORE_TIMEOUT_MS = 2_000;

interface LambdaContext {
  getRemainingTimeInMillis(): number;
  memoryLimitInMB: string | number;
}

export function lambdaHandler(tasks: Record<string, unknown>) {
  trapTaskExits();
  captureTaskOutput({ passThrough: true });
  return async (event: ChunkEvent | PoolWorkerEvent, lambda: LambdaContext): Promise<ChunkReply | WorkerMark> => {
    if ('poolWorker' in event) return hostPoolWorker(loads<PoolWorkerStart>(Buffer.from(event.poolWorker, 'base64')), tasks, lambda);
    const started = performance.now();
    const request = loads<ThreadRequest>('request' in event ? Buffer.from(event.request, 'base64') : await fetchClaim((await redisStore(event.redisUrl)).claims, event.claim, 'the request'));
    provideTasks(request.context.tasksModule, tasks);
    const store = await redisStore(request.context.redisUrl);
    const commandsBefore = store.commandsSent;
    const outcome = await runChunk(request);
    const reply = { durationMs: performance.now() - started, redisCommands: store.commandsSent - commandsBefore };
    if (outcome.length <= MAX_INLINE_BYTES) return { outcome: Buffer.from(outcome).toString('base64'), ...reply };
    return { claim: await keepClaim(store.claims, outcome), ...reply };
  };
}

/** One slot's pool worker, marking in Redis that it runs, and at its end whether it left early or the pool is done. */
async function hostPoolWorker({ context, spec }: PoolWorkerStart, tasks: Record<string, unknown>, lambda: LambdaContext): Promise<WorkerMark> {
  const started = performance.now();
  provideTasks(context.tasksModule, tasks);
  const store = await redisStore(context.redisUrl);
  const commandsBefore = store.commandsSent;
  const setMark = (state: WorkerMark, ttlMs: number) => store.lambdaMarks.set(context.runId, spec.poolId, spec.firstSlot, state, ttlMs);
  // Shortly before the function's timeout the worker drains (finishes its chunk, claims nothing
  // more) and leaves; a chunk still running just before the timeout is abandoned to its lease.
  const leave = new AbortController();
  const stop = new AbortController();
  const remaining = lambda.getRemainingTimeInMillis();
  const leaveTimer = setTimeout(() => leave.abort(), remaining - Math.min(Math.max(remaining * LEAVE_EARLY_SHARE, LEAVE_EARLY_MIN_MS), remaining / 2));
  const stopTimer = setTimeout(() => stop.abort(), remaining - Math.min(STOP_BEFORE_TIMEOUT_MS, remaining / 4));
  // A task cannot be interrupted inside this process: a discarded chunk is left to finish on its own.
  const runs = new ChunkRunRecorder(store);
  const run = (call: ChunkCall, signal: AbortSignal) =>
    runs.record(context, call, () =>
      Promise.race([runChunk({ call, context }), new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]),
    );
  let state: WorkerMark;
  try {
    await setMark('running', WORKER_MARK_MS);
    await runPoolWorker(store, context.runId, spec, run, { signal: stop.signal, drain: leave.signal, parallelism: 1, onBeat: () => void setMark('running', WORKER_MARK_MS).catch(() => {}) });
    state = leave.signal.aborted ? 'left' : 'done';
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    state = 'left';
  } finally {
    clearTimeout(leaveTimer);
    clearTimeout(stopTimer);
  }
  await runs.sent();
  await setMark(state, 10 * 60_000);
  await store.usage.add(context.runId, { billedMs: Math.ceil(performance.now() - started), memoryMb: Number(lambda.memoryLimitInMB), redisCommands: store.commandsSent - commandsBefore });
  return state;
}
