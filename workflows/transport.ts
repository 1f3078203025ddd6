/**
 * The Transport inside the workflow sandbox: every task launch is an activity
 * (or a child workflow for a batch), every shared-state operation a local
 * activity, and a wait that may last a while a heartbeating activity. All of
 * it lands in history, which is what makes the main program replayable.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  startChild,
  upsertMemo,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, RunRef } from '../activities/index.js';
import { ProcessError, SetupError } from '../mp-shim/errors.js';
import { storageError, type ErrorCode } from '../mp-shim/fs/errors.js';
import {
  isNotYet,
  MAIN_PROCESS,
  describeOp,
  launchInLanes,
  progressKey,
  opName,
  WAITS,
  type ChunkCall,
  type Dispatch,
  type FileOp,
  type FileOpName,
  type FileResult,
  type JobProgress,
  type Launch,
  type PoolSpec,
  type PoolWorkers,
  type StateOp,
  type StateOpName,
  type StateResult,
  type Transport,
} from '../mp-shim/transport.js';
import { dumps } from '../mp-shim/serialization.js';
import { costReport } from '../compute/lambda/cost.js';
import { infrastructureRetry } from '../compute/retry-policy.js';
import { decideChanges, type Change } from './changes.js';
import { checkpointDue, HISTORY_SHARES, historyReport, historyShare, OWN_LOG_ENTRY, TEMPORAL_HISTORY_LIMIT, type ChainProcesses, type HistoryUse, type RunOptions } from './definitions.js';

/** How long a chunk or a wait may take when nothing bounds it; heartbeats detect dead workers long before. */
const UNBOUNDED_MS = 365 * 24 * 3_600_000;
/** Time an activity gets beyond a caller's own timeout, so the caller's timeout is what fires. */
const TIMEOUT_MARGIN_MS = 60_000;
/**
 * How long a blocking operation may wait inside a local activity before it becomes a
 * heartbeating activity. Short, because commands issued before a local activity (launching
 * the very task that would end the wait) are sent only when the workflow task completes,
 * after the local activity; long enough to catch the reply of a task that is already running.
 */
const LOCAL_WAIT_MS = 100;
/** A storage operation moves at most a part (8 MiB) or a whole file; more than this means the storage is stuck. */
const FILE_OP_TIMEOUT = '10 minutes';
/** Posted operations wait for the next local activity, or go on their own once this many are waiting. */
const MAX_POSTED = 64;
/** Events a command adds to history, with the workflow tasks its completion brings. */
const EVENTS = { marker: 1, timer: 5, activity: 6, child: 6, cancelRequest: 2 } as const;
/** Bytes of an event besides its payloads; a payload above the claim-check threshold is stored aside, leaving a reference. */
const EVENT_BYTES = 400;
const CLAIM_CHECK_BYTES = 256 * 1024;

/** Starts the next run of the chain, called with `args` and following `processes`; rejects with what ends this run. */
export type ContinueAsNew = (args: unknown[], processes: ChainProcesses) => Promise<never>;

/** A main program's place in its chain of runs. */
export interface Chain {
  continueAsNew: ContinueAsNew;
  /** The processes earlier runs started that this one follows. */
  processes: ChainProcesses;
}

export class WorkflowTransport implements Transport {
  readonly engine = 'temporal';
  /** The main program is durable: its locks need no lease. */
  readonly lockLeaseMs = 0;
  readonly maxChunksPerMap: number;
  readonly dispatch: Dispatch;
  readonly #progress = new Map<string, JobProgress>();
  /** The blocking operations the main program awaits, by what they are on. */
  readonly #waits = new Map<symbol, string>();
  #opSequence = 0;
  #localInOrder: Promise<void> = Promise.resolve();
  /** Local activities chained and not yet answered, and the history length (which names a workflow task) when one last ended. */
  #localsOpen = 0;
  #lastLocalTask = -1;
  /** Operations whose answers the program does not wait for, sent with the next local activity. */
  #posted: StateOp[] = [];
  #flushWhenIdle?: Promise<void>;
  readonly #batching: boolean;
  readonly #options: RunOptions;
  readonly #run: RunRef;
  readonly #activities;
  readonly #local;
  readonly #continueAsNew?: ContinueAsNew;
  /** The chain's processes this run follows (see ChainProcesses). */
  readonly #processes: Map<string, Uint8Array | null>;
  readonly #followed = new Map<string, Promise<Uint8Array>>();
  /** The processes this run started, until their child workflows close (see #startProcess). */
  readonly #childrenClosing = new Map<string, Promise<unknown>>();
  /** The chain is ending: how the processes it stops end is nobody's business any more. */
  #stoppingProcesses = false;
  /** Rejects when the run ends before the main program does: with a checkpoint, or at the history limit. */
  readonly interrupted: Promise<never>;
  #interrupt!: (reason: unknown) => void;
  /** Once the run is interrupted, the main program's further operations never start: the run ends with what it holds. */
  #ended = false;
  /**
   * The run's history as this code counts it, from the commands it issued. The server's count
   * lags: a workflow task records its local activities' markers only when it completes (or
   * heartbeats, every 8 s). Checkpoints rest on this count alone: it is the same in every
   * attempt of a workflow task, while the server's grows with each failed attempt, and a
   * checkpoint that moved would redo, in the next run, operations the failed attempt applied.
   */
  #events = 3;
  #bytes = 3 * EVENT_BYTES;
  #warnedOfLimit = false;
  #warnedOfPostponing = false;
  readonly #follows: (change: Change) => boolean;

  constructor(readonly runId: string, options: RunOptions, chain?: Chain) {
    // Runs started before mpflow knew history limits carry none: the server's defaults hold for them.
    this.#options = { ...options, historyLimit: options.historyLimit ?? TEMPORAL_HISTORY_LIMIT };
    this.#continueAsNew = chain?.continueAsNew;
    this.#processes = new Map(Object.entries(chain?.processes ?? {}));
    this.interrupted = new Promise<never>((_, reject) => (this.#interrupt = reject));
    this.interrupted.catch(() => {});
    // Runs started before operations were batched replay one local activity per operation; the fault hooks count operations one by one.
    this.#follows = decideChanges();
    this.#batching = !options.testHooks && this.#follows('batched-state-operations');
    this.#run = { runId, storage: options.storage };
    this.maxChunksPerMap = options.maxChunksPerMap;
    this.dispatch = options.dispatch;
    this.#activities = proxyActivities<Activities>({
      startToCloseTimeout: UNBOUNDED_MS,
      heartbeatTimeout: options.heartbeatTimeoutMs,
      retry: infrastructureRetry(options.maxAttempts),
    });
    this.#local = proxyLocalActivities<Activities>({
      startToCloseTimeout: '1 minute',
      retry: infrastructureRetry(options.maxAttempts),
    });
  }

  cpuCount(): number {
    return this.#options.cpuCount;
  }

  launch(call: ChunkCall): Launch {
    // Runs started before processes had workflows of their own run each as an activity, which ends with the run.
    if (call.process && this.#follows('processes-outlive-runs')) return this.#startProcess(call);
    return this.#runChunk(call);
  }

  #runChunk(call: ChunkCall): Launch {
    if (!this.#issue(EVENTS.activity, call.items)) return { result: never(), cancel: () => {} };
    const scope = new CancellationScope();
    const startToCloseTimeout = call.timeoutMs === undefined ? UNBOUNDED_MS : call.timeoutMs + TIMEOUT_MARGIN_MS;
    const result = scope
      .run(() => this.#activities.runChunk.executeWithOptions({ ...this.#chunkOptions(), startToCloseTimeout, summary: call.summary }, [this.#run, call]))
      .catch((error: Error) => {
        throw failed(call.summary, error);
      });
    return { result, cancel: () => scope.cancel() };
  }

  /**
   * A process is a workflow of its own, left running when this run ends (parent close policy
   * ABANDON): a checkpoint carries its Process object, and it tells whichever run of the chain is
   * current how it ended. The chain's last run stops those still running (cleanup).
   */
  #startProcess(call: ChunkCall): Launch {
    if (!this.#issue(EVENTS.child, call.items)) return { result: never(), cancel: () => {} };
    this.#processes.set(call.id, null);
    const started = startChild('processRun', {
      args: [{ runId: this.runId, call, options: this.#options }],
      workflowId: processWorkflowId(this.runId, call.id),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: call.summary,
    });
    started.catch((error: Error) => this.processExited(call.id, dumps([false, plain(failed(call.summary, error))])));
    // Its child's closing event reaches this run just after its exit: awaited too, it cannot arrive as the run completes, which the server would refuse (the worker then replays the whole run).
    const closed = started.then((child) => child.result()).catch(() => undefined);
    this.#childrenClosing.set(call.id, closed);
    void closed.then(() => this.#childrenClosing.delete(call.id));
    const launch = this.#follow(call.id, closed);
    return { ...launch, cancel: () => void started.then(launch.cancel, () => {}) };
  }

  attach(launchId: string): Launch {
    return this.#follow(launchId, Promise.resolve());
  }

  /** Resolves with the process's exit once it told it, and `closed` settled. */
  #follow(launchId: string, closed: Promise<unknown>): Launch {
    let result = this.#followed.get(launchId);
    if (!result) {
      if (!this.#processes.has(launchId)) throw new ProcessError(`no process ${launchId} is running in this chain of runs (it ended, and a Process object saw it end, in an earlier run)`);
      result = Promise.all([condition(() => this.#processes.get(launchId) !== null), closed]).then(() => this.#processes.get(launchId)!);
      this.#followed.set(launchId, result);
      // The follower's reaction runs right after this one: no checkpoint can come between, to find the exit neither carried nor seen.
      void result.then(() => this.#processes.delete(launchId));
    }
    const cancel = () => {
      if (this.#issue(EVENTS.cancelRequest)) void this.#cancelProcess(launchId);
    };
    return { result, cancel, outlivesRun: true };
  }

  /** Asks a process's workflow to stop; one that ended meanwhile cannot be cancelled any more, which is what was wanted. */
  #cancelProcess(launchId: string): Promise<void> {
    return getExternalWorkflowHandle(processWorkflowId(this.runId, launchId)).cancel().catch(() => {});
  }

  /** A process of the chain ended (the `processExited` signal). */
  processExited(launchId: string, outcome: Uint8Array): void {
    if (this.#processes.get(launchId) === null && !this.#stoppingProcesses) this.#processes.set(launchId, outcome);
  }

  /** Runs a process's target as an activity (the body of `processRun`): `dumps(Outcome)`, also when the infrastructure gave up. */
  runProcess(call: ChunkCall): Promise<Uint8Array> {
    return this.#runChunk(call).result.catch((error: Error) => dumps([false, plain(error as ProcessError)]));
  }

  launchBatch(calls: ChunkCall[], width: number): Launch {
    if (!this.#issue(EVENTS.child, calls.map((call) => call.items))) return { result: never(), cancel: () => {} };
    const scope = new CancellationScope();
    const summary = `${calls[0].summary} … ${calls.length} chunks`;
    const result = scope
      .run(() =>
        executeChild('mapBatch', {
          args: [{ runId: this.runId, calls, width, options: this.#options }],
          workflowId: `${workflowInfo().workflowId}/batch-${uuid4()}`,
          staticSummary: summary,
        }),
      )
      .catch((error: Error) => {
        throw failed(summary, error);
      }) as Promise<Uint8Array>;
    return { result, cancel: () => scope.cancel() };
  }

  /**
   * Pool workers are activities hosting `poolSlotsPerWorker` slots each. They heartbeat while they
   * live; one whose Temporal worker died is retried elsewhere and its chunks' leases lapse.
   */
  startPoolWorkers(pool: PoolSpec): PoolWorkers {
    const perWorker = this.#options.poolSlotsPerWorker;
    if (!this.#issue(EVENTS.activity * Math.ceil(pool.processes / perWorker))) return { done: never(), cancel: () => {} };
    const scope = new CancellationScope();
    const workers: Promise<void>[] = [];
    for (let firstSlot = 0; firstSlot < pool.processes; firstSlot += perWorker) {
      const slots = Math.min(perWorker, pool.processes - firstSlot);
      const summary = `pool worker · slots ${firstSlot + 1}–${firstSlot + slots} of ${pool.processes}`;
      const spec = { ...pool, firstSlot, slots, leaseMs: this.#options.heartbeatTimeoutMs };
      workers.push(
        scope
          .run(() => this.#activities.poolWorker.executeWithOptions({ ...this.#chunkOptions(), startToCloseTimeout: UNBOUNDED_MS, summary }, [this.#run, spec]))
          .catch((error: Error) => {
            throw failed(summary, error);
          }),
      );
    }
    return { done: Promise.all(workers).then(() => undefined), cancel: () => scope.cancel() };
  }

  /** Runs a batch's chunks in this workflow (the body of the `mapBatch` child). */
  runBatch(calls: ChunkCall[], width: number): Promise<Uint8Array> {
    return launchInLanes(calls, width, (call) => this.launch(call), dumps).result;
  }

  /**
   * Each operation is named by its place in the run (workflow code runs in the same order on
   * every replay), so a local activity run again after a failed workflow task, or an activity
   * retried after its worker died, repeats the same operation and gets the first run's answer.
   */
  state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    if (this.#ended) return never();
    return this.#state(this.#identify(op)).catch((error: Error) => {
      throw failed(`shared-state operation ${op.op}`, error);
    });
  }

  /**
   * An operation whose answer the program does not wait for (it cannot fail, and says nothing
   * the program uses): it rides the local activity of the next operation, or goes before
   * whatever the program does next that another process could see, or once the program waits
   * for something else; always in the order the program made them.
   */
  post<K extends StateOpName>(op: StateOp<K>): Promise<void> {
    // Runs started before pipes posted their sends replay each send as a local activity of its own.
    if (!this.#batching || (op.op === 'connection.send' && !this.#follows('posted-pipe-sends'))) return this.state(op).then(() => undefined);
    if (this.#ended) return never();
    this.#posted.push(this.#identify(op) as unknown as StateOp);
    this.#flushWhenIdle ??= whenIdle().then(() => {
      this.#flushWhenIdle = undefined;
      return this.flush();
    });
    return this.#posted.length < MAX_POSTED ? Promise.resolve() : this.flush();
  }

  /**
   * Sends the posted operations. Commands issued after this (an activity, a timer) reach the
   * server only when the workflow task completes, which waits for this local activity.
   */
  flush(): Promise<void> {
    if (this.#posted.length === 0) return Promise.resolve();
    const sent = this.#inOrder(this.#takePosted()).then(() => undefined);
    sent.catch((error: Error) => this.end(failed('shared-state operations', error)));
    return sent;
  }

  #identify<K extends StateOpName>(op: StateOp<K>): StateOp<K> {
    return { ...op, opRecords: 'main', opId: `${workflowInfo().runId}:${opName(this.#opSequence++, op)}` };
  }

  #takePosted(): StateOp[] {
    const posted = this.#posted;
    this.#posted = [];
    return posted;
  }

  /**
   * A local activity (one marker event) that may wait up to LOCAL_WAIT_MS; only a wait that
   * lasts longer becomes a heartbeating activity, which adds no events while it waits.
   */
  async #state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    if (!op.block) return this.#stateNow(op);
    const wait = Symbol(op.op);
    this.#waits.set(wait, describeOp(op));
    this.#showDetails();
    try {
      return await this.#stateNow(op);
    } finally {
      this.#waits.delete(wait);
      this.#showDetails();
    }
  }

  async #stateNow<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    const deadline = op.timeoutMs === undefined ? undefined : Date.now() + op.timeoutMs;
    if (!op.block || (WAITS[op.op]?.splittable && !op.awaitsNewWork)) {
      const shortWait = op.block ? Math.min(op.timeoutMs ?? LOCAL_WAIT_MS, LOCAL_WAIT_MS) : undefined;
      const provisional = op.block && (op.timeoutMs === undefined || op.timeoutMs > LOCAL_WAIT_MS);
      const result = await this.#shortStateOp({ ...op, timeoutMs: shortWait, provisional });
      const waitedEnough = deadline !== undefined && Date.now() >= deadline;
      if (!op.block || !isNotYet(op.op, result as StateResult<K>) || waitedEnough) return result as StateResult<K>;
    }
    if (!this.#issue(EVENTS.activity, op)) return never();
    const timeoutMs = deadline === undefined ? undefined : Math.max(deadline - Date.now(), 0);
    return (await this.#activities.waitingStateOp.executeWithOptions(
      { ...this.#chunkOptions(), startToCloseTimeout: timeoutMs === undefined ? UNBOUNDED_MS : timeoutMs + TIMEOUT_MARGIN_MS, summary: describeOp(op) },
      [this.runId, { ...op, timeoutMs }],
    )) as StateResult<K>;
  }

  /**
   * One local activity at a time, in the order the program asked for them. Local activities
   * that run side by side complete in an order the history records but a replay does not
   * reproduce: a replay resolves their markers in recorded order, so code that one resolution
   * wakes can schedule the next local activity later than it first did, and the replay fails
   * as nondeterministic (seen after a worker was killed mid-run: "Missing associated machine
   * for LocalActivity"). In sequence, completion order is scheduling order.
   */
  #shortStateOp<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    return this.#inOrder([...this.#takePosted(), op as unknown as StateOp]) as Promise<StateResult<K>>;
  }

  /** `ops` in one local activity (one marker), after those before them; the last one's answer. */
  #inOrder(ops: StateOp[]): Promise<unknown> {
    this.#localsOpen++;
    const answer = this.#localInOrder.then(async () => {
      this.#count(EVENTS.marker, ops);
      if (ops.length === 1) return this.#recorded(await this.#runLocal(ops[0]));
      return this.#recorded(await this.#local.stateOps.executeWithOptions({ summary: ops.map(describeOp).join(' + ') }, [this.runId, ops])).at(-1);
    });
    const settled = () => {
      this.#localsOpen--;
      this.#lastLocalTask = workflowInfo().historyLength;
    };
    this.#localInOrder = answer.then(settled, settled);
    return answer;
  }

  /** Counts the bytes of what a marker recorded. */
  #recorded<T>(answer: T): T {
    this.#bytes += payloadBytes(answer);
    return answer;
  }

  async #runLocal<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    const hooks = this.#options.testHooks;
    if (hooks?.failWorkflowTasks) {
      const [result, failTask] = await this.#local.stateOpFailingWorkflowTask(this.runId, op);
      // Unhandled on purpose: the sandbox then fails the activation, and Temporal retries the task.
      if (failTask) void Promise.reject(new Error(`mpflow test hook: the workflow task fails after ${op.op} ran`));
      return result as StateResult<K>;
    }
    const run = hooks?.loseFirstAnswers ? this.#local.stateOpLosingFirstAnswer : this.#local.stateOp;
    return run.executeWithOptions({ summary: describeOp(op) }, [this.runId, op]) as Promise<StateResult<K>>;
  }

  /** Each storage operation is an activity: its result (or the bytes' claim check) is in history. */
  async file<K extends FileOpName>(op: FileOp<K>): Promise<FileResult<K>> {
    if (!this.#issue(EVENTS.activity, op)) return never();
    const outcome = await this.#activities.fileOp
      .executeWithOptions({ startToCloseTimeout: FILE_OP_TIMEOUT, retry: infrastructureRetry(this.#options.maxAttempts), summary: `${op.op} ${'path' in op ? op.path : op.from}` }, [this.#options.storage, op])
      .catch((error: Error) => {
        throw failed(`storage operation ${op.op}`, error);
      });
    if (!outcome[0]) throw storageError(outcome[1] as ErrorCode);
    return outcome[1] as FileResult<K>;
  }

  runTask(call: ChunkCall): Promise<Uint8Array> {
    return this.launch(call).result;
  }

  ownerId(): string {
    return `main:${this.runId}`;
  }

  /**
   * Removes the run's Redis state. The workflow task that completes the run can fail (an
   * activity, a pool worker leaving, completes at the same moment; a worker is lost), and the
   * local activities of a failed task run again on its retry: a shared-state operation repeated
   * after the run's keys were removed would wait forever. So the cleanup is a local activity
   * only in a task where no shared-state operation ran (run again, it removes what is left and
   * answers the usage it first read); else an activity, which costs an activity task and a
   * workflow task more.
   */
  async cleanup(): Promise<void> {
    await this.#stopLeftProcesses();
    // Runs that ask each change where it matters ask this one before the cleanup's local activity (see decideChanges); those started before that ask after it.
    const progressInMemo = this.#follows('memo-decided-before-cleanup') || undefined;
    const alone = this.#localsOpen === 0 && this.#lastLocalTask !== workflowInfo().historyLength;
    // Runs started before cleanups could be local replay the activity.
    const usage =
      alone && this.#follows('cleanup-in-local-activity')
        ? await this.#local.cleanupRun.executeWithOptions({ startToCloseTimeout: '10 minutes', retry: infrastructureRetry(this.#options.maxAttempts) }, [this.runId, workflowInfo().runId])
        : await this.#activities.cleanupRun.executeWithOptions({ ...this.#chunkOptions(), startToCloseTimeout: '1 minute' }, [this.runId, workflowInfo().runId]);
    // The Web UI shows the memo; `mpflow run` and `mpflow status` print it, and read the final progress there rather than query a closed run.
    // Runs started before the memo held the final progress complete without it.
    const progress = (progressInMemo ?? this.#follows('final-progress-in-memo')) ? this.progress() : [];
    const memo = { ...(progress.length > 0 && { progress }), ...(usage.invocations > 0 && { cost: costReport(usage, this.#options.pricing) }) };
    if (Object.keys(memo).length > 0) upsertMemo(memo);
  }

  /**
   * Processes still running when the chain ends: those no object followed to this run (a
   * checkpoint's arguments did not carry them), or all of them when the main program failed.
   */
  async #stopLeftProcesses(): Promise<void> {
    const left = [...this.#processes].filter(([, exit]) => exit === null).map(([launchId]) => launchId);
    if (left.length === 0) return;
    this.#stoppingProcesses = true;
    this.warn(`${left.length} process(es) still running when the run ended were terminated: ${left.map((launchId) => processWorkflowId(this.runId, launchId)).join(', ')}`);
    await Promise.all(left.map((launchId) => this.#cancelProcess(launchId)));
    await Promise.all(left.map((launchId) => this.#childrenClosing.get(launchId)));
  }

  /**
   * Continues as new when the history is large enough: once `settle` closed the run's pools
   * (it names the processes still running, which postpone the checkpoint), this run ends and
   * the main program is called again with `args` in the next; it never returns then.
   */
  async checkpoint(args: unknown[], settle: () => Promise<string[]>): Promise<void> {
    const counted = { events: this.#events, bytes: this.#bytes, limit: this.#options.historyLimit };
    if (!this.#continueAsNew || !checkpointDue(counted)) return;
    dumps(args, 'the arguments of checkpoint()');
    const running = await settle();
    if (running.length > 0) {
      if (!this.#warnedOfPostponing) this.warn(`checkpoint postponed until ${running.join(', ')} ended: this run started them before processes outlived runs (with an earlier mpflow), and they cannot move to the next run`);
      this.#warnedOfPostponing = true;
      return;
    }
    // The operations the program posted, and those the pools' closing issued, complete in this run.
    await this.flush();
    await this.#localInOrder;
    this.#continueAsNew(args, Object.fromEntries(this.#processes)).catch((reason: unknown) => this.end(reason));
    return never();
  }

  /** A durable timer: it fires on time across worker restarts and checkpoints. */
  sleep(ms: number): Promise<void> {
    if (!this.#issue(EVENTS.timer)) return never();
    return sleep(ms);
  }

  async settlesWithin(promise: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
    if (!this.#issue(timeoutMs === undefined ? 0 : EVENTS.timer)) return never();
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    if (timeoutMs === undefined) {
      await condition(() => settled);
      return true;
    }
    return condition(() => settled, timeoutMs);
  }

  uuid(): string {
    return uuid4();
  }

  reportProgress(progress: JobProgress): void {
    this.#progress.set(progressKey(progress), progress);
    this.#showDetails();
  }

  /** The run's current details in the Web UI: the maps under way and what the main program waits on. */
  #showDetails(): void {
    const maps = this.progress()
      .filter(({ chunks, done }) => done < chunks)
      .map(({ pool, job, task, chunks, done, failed }) => `- map of \`${task}\` (job ${job} of pool ${pool?.slice(0, 8)}): ${done}/${chunks} chunks${failed ? `, ${failed} failed` : ''}`);
    const waits = [...new Set(this.#waits.values())].map((wait) => `- waiting on \`${wait}\``);
    setCurrentDetails([...maps, ...waits].join('\n') || 'running its own code');
  }

  progress(): JobProgress[] {
    return [...this.#progress.values()];
  }

  processIdentity() {
    return { self: MAIN_PROCESS };
  }

  /** Through the workflow's logger, which stays silent while a replay repeats what was already said. */
  warn(message: string, error?: unknown): void {
    log.warn(message, error === undefined ? OWN_LOG_ENTRY : { ...OWN_LOG_ENTRY, error });
  }

  /** The larger of the server's count (which lags while a workflow task runs local activities) and this code's. */
  history(): Omit<HistoryUse, 'run'> {
    const { historyLength, historySize } = workflowInfo();
    return { events: Math.max(historyLength, this.#events), bytes: Math.max(historySize, this.#bytes), limit: this.#options.historyLimit };
  }

  /**
   * Counts the events a command adds, and the bytes of its payloads. Past the warning share of
   * the limit the run warns; past the failing share it ends with the error that names the fix,
   * before the server would terminate it.
   */
  #count(events: number, payloads?: unknown): void {
    this.#events += events;
    this.#bytes += events * EVENT_BYTES + payloadBytes(payloads);
    const use = this.history();
    const share = historyShare(use);
    if (share < HISTORY_SHARES.warn) return;
    if (share >= HISTORY_SHARES.fail) this.end(new ProcessError(historyReport(use)));
    else if (!this.#warnedOfLimit) this.warn(`${historyReport(use)}; at ${HISTORY_SHARES.fail * 100} % the run fails`);
    this.#warnedOfLimit = true;
  }

  /**
   * Before a command other than a local activity: false once the run has ended (the command is
   * not issued); else the posted operations go first, and the command's events are counted.
   */
  #issue(events: number, payloads?: unknown): boolean {
    if (this.#ended) return false;
    void this.flush();
    this.#count(events, payloads);
    return true;
  }

  /** Ends the run with `reason`: the main program's further operations never start (also when the run is cancelled). */
  end(reason: unknown): void {
    this.#ended = true;
    this.#interrupt(reason);
  }

  #chunkOptions() {
    return {
      heartbeatTimeout: this.#options.heartbeatTimeoutMs,
      retry: infrastructureRetry(this.#options.maxAttempts),
    };
  }
}

/**
 * Resolves once the program has gone as far as it can (it waits for a task, say): the SDK
 * checks conditions then, after an eager check when the condition is made, which says no.
 */
function whenIdle(): Promise<void> {
  let made = false;
  return condition(() => made || !(made = true));
}

/** What an operation the ended run will not start returns. */
function never(): Promise<never> {
  return new Promise(() => {});
}

/** The bytes of the binary payloads in `value` (an operation, its answer, a chunk's items), each as history keeps it. */
function payloadBytes(value: unknown, depth = 3): number {
  if (value instanceof Uint8Array) return Math.min(value.byteLength, CLAIM_CHECK_BYTES);
  if (depth === 0 || typeof value !== 'object' || value === null) return 0;
  let bytes = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) bytes += payloadBytes(item, depth - 1);
  return bytes;
}

/** Where a durable main program's Process runs: a workflow id under the main program's. */
function processWorkflowId(runId: string, launchId: string): string {
  return `${runId}/process-${launchId}`;
}

/** `error` without its chain of Temporal failures, which do not cross the codec: what a process's outcome says of a launch that failed. */
function plain(error: ProcessError): ProcessError {
  return new (error instanceof SetupError ? SetupError : ProcessError)(error.message);
}

/**
 * Temporal's failure types never reach users: a chunk that could not run becomes a ProcessError
 * naming it, a SetupError when its activity failed with one (it was not retried).
 */
function failed(summary: string, error: Error): ProcessError {
  let root: Error = error;
  while (root.cause instanceof Error) root = root.cause;
  const Failure = root instanceof ApplicationFailure && root.type === 'SetupError' ? SetupError : ProcessError;
  return new Failure(`${summary} failed: ${root.message}`, { cause: error });
}
