/**
 * Activities: everything the main program does outside its workflow, run on
 * behalf of it by the worker. Chunks go to the compute backend; shared-state
 * operations go to Redis.
 */
import { Context } from '@temporalio/activity';
import type { ChunkCall, PoolWorkerSpec, StateOp, StateOpName, StateResult } from '../mp-shim/transport.js';
import type { ComputeBackend } from '../workers/compute-backend.js';
import { runWithRetries } from '../workers/node-transport.js';
import { runPoolWorker } from '../workers/pool-worker.js';
import type { RedisStore } from './state/store.js';

export interface ActivityDeps {
  store: RedisStore;
  backend: ComputeBackend;
  /** Absolute path of the program's tasks module. */
  tasksModule: string;
}

export function createActivities({ store, backend, tasksModule }: ActivityDeps) {
  return {
    /** Runs one chunk (or a Process target) and returns `dumps(Outcome)`; heartbeats while it runs. */
    async runChunk(runId: string, call: ChunkCall): Promise<Uint8Array> {
      return whileHeartbeating(() => backend.run(call, { runId, tasksModule, redisUrl: store.url }, Context.current().cancellationSignal));
    },

    /** Hosts slots of a queue-dispatch pool until the pool is closed and drained or terminated. */
    async poolWorker(runId: string, spec: PoolWorkerSpec): Promise<void> {
      const context = Context.current();
      const run = (call: ChunkCall, signal: AbortSignal) => runWithRetries(backend, call, { runId, tasksModule, redisUrl: store.url }, signal);
      await runPoolWorker(store, runId, spec, run, { signal: context.cancellationSignal, parallelism: backend.parallelism, onBeat: () => context.heartbeat() });
    },

    /** A shared-state operation that returns within seconds (run as a local activity: one marker event). */
    async stateOp<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<StateResult<K>> {
      return store.execute(runId, op);
    },

    /** A shared-state operation that may wait for minutes: heartbeats while it waits, stops when cancelled. */
    async waitingStateOp<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<StateResult<K>> {
      return whileHeartbeating(() => store.execute(runId, op, { signal: Context.current().cancellationSignal }));
    },

    /** Removes the run's keys when its main program ends. */
    async cleanupRun(runId: string): Promise<number> {
      return store.cleanupRun(runId);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Heartbeats at a third of the heartbeat timeout, so a dead worker is noticed and cancellation delivered. */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  const timer = timeoutMs ? setInterval(() => context.heartbeat(), Math.max(timeoutMs / 3, 100)) : undefined;
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
