/**
 * Activities: everything the main program does outside its workflow, run on behalf of it by
 * the worker. Chunks go to the compute backend; shared-state operations go to Redis; storage
 * operations to the run's storage.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ComputeBackend, RunContext } from '../compute/backend.js';
import { hostPoolWorkers } from '../compute/pool-worker.js';
import { SetupError } from '../mp-shim/errors.js';
import { isStorageError } from '../mp-shim/fs/errors.js';
import type { ChunkCall, FileOp, FileOpName, FileResult, PoolWorkerSpec, StateOp, StateOpName, StateResult } from '../mp-shim/transport.js';
import type { RedisStore, RunUsage } from '../state/store.js';
import { executeFileOp } from '../storage/index.js';

/** Where test hooks count what they did (keys.counter under this namespace, outside any run's keys). */
export const TEST_HOOKS = 'test-hooks';
/** Each failed workflow task waits for its retry: a few kinds of operation are enough. */
const FAILED_TASKS_PER_RUN = 8;

export interface ActivityDeps {
  store: RedisStore;
  backend: ComputeBackend;
  /** Absolute path of the program's tasks module. */
  tasksModule: string;
  /** Lease of locks taken in tasks (the configuration's lockLeaseMs). */
  lockLeaseMs: number;
}

/** The run a task belongs to, as the workflow names it to an activity. */
export interface RunRef {
  runId: string;
  /** The run's storage URL (mpflow/fs). */
  storage: string;
}

/** A storage operation's outcome: its result, or the Node code it failed with (never retried). */
export type FileOutcome<K extends FileOpName> = [ok: true, result: FileResult<K>] | [ok: false, code: string];

export function createActivities({ store, backend, tasksModule, lockLeaseMs }: ActivityDeps) {
  const contextOf = ({ runId, storage }: RunRef): RunContext => ({ runId, storage, tasksModule, redisUrl: store.url, lockLeaseMs });
  /** Kinds of operation whose first answer the test hooks lost, or whose task they failed, by run. */
  const answersLost = new Set<string>();
  const tasksFailed = new Set<string>();
  return failingFastOnSetup({
    /** Runs one chunk (or a Process target) and returns `dumps(Outcome)`; heartbeats while it runs. */
    async runChunk(run: RunRef, call: ChunkCall): Promise<Uint8Array> {
      const outcome = await whileHeartbeating(() => backend.run(call, contextOf(run), Context.current().cancellationSignal));
      await store.forgetChunk(run.runId, call.id);
      return outcome;
    },

    /** Hosts slots of a queue-dispatch pool until the pool is closed and drained or terminated. */
    async poolWorker(run: RunRef, spec: PoolWorkerSpec): Promise<void> {
      const context = Context.current();
      await hostPoolWorkers(store, backend, spec, contextOf(run), { signal: context.cancellationSignal, onBeat: () => context.heartbeat() });
    },

    /** A shared-state operation that returns within seconds (run as a local activity: one marker event). */
    async stateOp<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<StateResult<K>> {
      return store.execute(runId, op);
    },

    /** Shared-state operations one after another, in one local activity: their answers in order. */
    async stateOps(runId: string, ops: StateOp[]): Promise<unknown[]> {
      const answers: unknown[] = [];
      for (const op of ops) answers.push(await store.execute(runId, op));
      return answers;
    },

    /**
     * `stateOp` for the fault suite (RunOptions.testHooks): the first time each kind of operation
     * runs in a run, it is applied and then its answer is lost (the activity fails), so Temporal
     * runs it again: the repeat must answer without applying it twice.
     */
    async stateOpLosingFirstAnswer<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<StateResult<K>> {
      const result = await store.execute(runId, op);
      const kind = `${runId}/${op.op}`;
      if (!answersLost.has(kind)) {
        answersLost.add(kind);
        await store.countEvent(TEST_HOOKS, `${runId}:answers lost`);
        throw new Error(`mpflow test hook: the answer of ${op.op} (${op.opId}) was lost after it was applied`);
      }
      return result;
    },

    /**
     * `stateOp` for the fault suite (RunOptions.testHooks): also says whether the workflow should
     * fail its task now, which it says the first time each kind of operation runs in a run, for
     * at most FAILED_TASKS_PER_RUN kinds.
     */
    async stateOpFailingWorkflowTask<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<[result: StateResult<K>, failTask: boolean]> {
      const result = await store.execute(runId, op);
      const kind = `${runId}/${op.op}`;
      const failed = [...tasksFailed].filter((seen) => seen.startsWith(`${runId}/`)).length;
      if (tasksFailed.has(kind) || failed >= FAILED_TASKS_PER_RUN) return [result, false];
      tasksFailed.add(kind);
      await store.countEvent(TEST_HOOKS, `${runId}:tasks failed`);
      return [result, true];
    },

    /** A shared-state operation that may wait for minutes: heartbeats while it waits, stops when cancelled. */
    async waitingStateOp<K extends StateOpName>(runId: string, op: StateOp<K>): Promise<StateResult<K>> {
      return whileHeartbeating(() => store.execute(runId, op, { signal: Context.current().cancellationSignal }));
    },

    /**
     * A storage operation for the main program (mpflow/fs). A failure with a Node code is the
     * program's to catch and is returned; any other failure is the infrastructure's and retried.
     */
    async fileOp<K extends FileOpName>(storage: string, op: FileOp<K>): Promise<FileOutcome<K>> {
      try {
        return [true, await executeFileOp(storage, op)];
      } catch (error) {
        if (isStorageError(error)) return [false, error.code];
        throw error;
      }
    },

    /** Removes the run's keys and returns its usage when its main program ends. */
    async cleanupRun(runId: string, execution?: string): Promise<RunUsage> {
      return store.cleanupRun(runId, execution);
    },
  });
}

/** A SetupError fails its activity for good (non-retryable, of type SetupError): no retry can fix it. */
function failingFastOnSetup<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    (...args: never[]) =>
      activity(...args).catch((error: unknown) => {
        if (error instanceof SetupError) throw ApplicationFailure.create({ message: error.message, type: 'SetupError', nonRetryable: true });
        throw error;
      }),
  ]);
  return Object.fromEntries(wrapped) as T;
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
