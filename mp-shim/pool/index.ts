/** Process pools (CPython: multiprocessing/pool.py) over the installed transport. */
import { asyncDispose } from '../dispose.js';
import { toMs, type Duration } from '../duration.js';
import { CancelledError, ProcessError, TimeoutError, ValueError } from '../errors.js';
import { dumps, loads } from '../serialization.js';
import { assertTaskRef, type AnyFunction, type TaskArgs, type TaskRef, type TaskResult } from '../tasks.js';
import { transport, type ChunkCall, type Dispatch, type Launch, type Outcome, type PoolWorkers } from '../transport.js';

export { AsyncResult, MapResult, IMapIterator, Pool };
export type { PoolOptions, MapOptions, ApplyOptions, ResultCallbacks, StragglerOptions };
export type { Dispatch } from '../transport.js';

type PoolState = 'RUN' | 'CLOSE' | 'TERMINATE';

interface StragglerOptions {
  /** A chunk is a straggler once it ran this many times its map's median chunk time. Default 3. */
  factor?: number;
  /** … and at least this long. Default 1 s. */
  minRunTime?: Duration;
}

interface PoolOptions {
  /**
   * How chunks reach the pool's slots. 'activity': each chunk is launched on its own (under the
   * durable engine an activity, visible in the Web UI with its own retries). 'queue': long-lived
   * pool workers pull chunks from the pool's job queue in Redis (low overhead per chunk, straggler
   * copies). 'auto': whichever measured faster on the engine at hand. Default: the run's
   * `--dispatch`, else 'auto'.
   */
  dispatch?: Dispatch;
  /**
   * Queue dispatch starts a copy of a straggling chunk on an idle slot; the first result wins
   * and the other copy is stopped. On by default; `false` for tasks that must not run twice.
   */
  speculative?: boolean | StragglerOptions;
  /** Runs once in each worker slot before its first task. */
  initializer?: TaskRef;
  initargs?: unknown[];
  /** Retires a worker slot after this many tasks (chunks); a fresh one is initialized. */
  maxTasksPerChild?: number;
}

interface ResultCallbacks<T> {
  callback?: (value: T) => void;
  errorCallback?: (error: Error) => void;
}

interface MapOptions {
  /** Items per task; default as in Python: ceil(len / (4 * processes)). */
  chunksize?: number;
  /** Stops a task that runs longer; its chunk fails with TimeoutError. */
  timeout?: Duration;
}

interface ApplyOptions<T> extends ResultCallbacks<T> {
  timeout?: Duration;
}

/** A unit of dispatch: one chunk on one slot, or a batch of chunks that holds `width` slots. */
interface Unit {
  job: Job;
  first: number;
  calls: ChunkCall[];
  width: number;
}

interface Job {
  readonly id: number;
  /** True once the job needs no more chunks (all landed, or it failed). */
  readonly finished: boolean;
  /** True once one of its chunks was launched. */
  started: boolean;
  setChunk(index: number, outcome: Outcome): void;
  fail(error: Error): void;
}

class Pool {
  readonly processes: number;
  readonly #id: string;
  readonly #initializer?: string;
  readonly #initargs?: Uint8Array;
  readonly #maxTasksPerChild?: number;
  #state: PoolState = 'RUN';
  #jobCounter = 0;
  readonly #cache = new Map<number, Job>();
  readonly #pending: Unit[] = [];
  #pendingHead = 0;
  #busySlots = 0;
  readonly #freeSlots: number[];
  readonly #slotTasks: number[];
  readonly #slotGeneration: number[];
  /** Work under way: launched chunks and queue-dispatch collectors; terminate cancels them, join waits for them. */
  readonly #inflight = new Set<{ cancel(): void }>();
  #whenIdle?: { promise: Promise<void>; resolve: () => void };
  readonly dispatch: 'activity' | 'queue';
  readonly #straggler: { factor: number; minMs: number };
  #workers?: PoolWorkers;
  #workersStopped = false;

  constructor(processes?: number, options: PoolOptions = {}) {
    const runtime = transport();
    if (processes === undefined) processes = runtime.cpuCount();
    if (!Number.isInteger(processes) || processes < 1) {
      throw new ValueError(`processes must be a positive integer, got ${processes}`);
    }
    if (options.initializer !== undefined) assertTaskRef(options.initializer, 'options.initializer');
    const { maxTasksPerChild } = options;
    if (maxTasksPerChild !== undefined && (!Number.isInteger(maxTasksPerChild) || maxTasksPerChild < 1)) {
      throw new ValueError(`options.maxTasksPerChild must be a positive integer, got ${maxTasksPerChild}`);
    }
    this.processes = processes;
    this.#id = runtime.uuid();
    this.#initializer = options.initializer?.taskName;
    this.#initargs = options.initializer ? dumps(options.initargs ?? [], 'options.initargs') : undefined;
    this.#maxTasksPerChild = maxTasksPerChild;
    this.dispatch = chooseDispatch(options.dispatch ?? runtime.dispatch, runtime.engine);
    this.#straggler = stragglerSettings(options.speculative ?? true);
    this.#freeSlots = Array.from({ length: processes }, (_, i) => processes - 1 - i);
    this.#slotTasks = new Array(processes).fill(0);
    this.#slotGeneration = new Array(processes).fill(0);
  }

  /** Calls `fn(...args)` in a worker and returns its result. */
  apply<F extends AnyFunction>(fn: TaskRef<F>, args: TaskArgs<F> = [] as unknown as TaskArgs<F>, options: { timeout?: Duration } = {}): Promise<TaskResult<F>> {
    return awaitedLater(() => this.applyAsync(fn, args, options).get());
  }

  applyAsync<F extends AnyFunction>(fn: TaskRef<F>, args: TaskArgs<F> = [] as unknown as TaskArgs<F>, options: ApplyOptions<TaskResult<F>> = {}): AsyncResult<TaskResult<F>> {
    const result = new ApplyResult<TaskResult<F>>(this.#jobCounter++, options);
    this.#submit(result, fn, [args], 1, options.timeout, 'apply');
    return result;
  }

  /** `fn(item)` for every item, in order; chunks run in parallel on at most `processes` slots. */
  map<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options?: number | MapOptions): Promise<TaskResult<F>[]> {
    return awaitedLater(() => this.mapAsync(fn, iterable, options).get());
  }

  mapAsync<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options?: number | (MapOptions & ResultCallbacks<TaskResult<F>[]>)): MapResult<TaskResult<F>> {
    return this.#mapAsync(fn, Array.from(iterable, (item) => [item]), options, 'map');
  }

  /** Like `map`, but each item is the argument list: `fn(...item)`. */
  starmap<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>>, options?: number | MapOptions): Promise<TaskResult<F>[]> {
    return awaitedLater(() => this.starmapAsync(fn, iterable, options).get());
  }

  starmapAsync<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>>, options?: number | (MapOptions & ResultCallbacks<TaskResult<F>[]>)): MapResult<TaskResult<F>> {
    return this.#mapAsync(fn, Array.from(iterable), options, 'starmap');
  }

  /** Results in order, each as soon as its chunk (and all before it) finished. Default chunksize 1. */
  imap<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options?: number | MapOptions): IMapIterator<TaskResult<F>> {
    return this.#imap(fn, iterable, options, true);
  }

  /** Results in completion order: a slow chunk never holds back the ones that finished. */
  imapUnordered<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options?: number | MapOptions): IMapIterator<TaskResult<F>> {
    return this.#imap(fn, iterable, options, false);
  }

  /** No more work may be submitted; `join()` then waits for what was. */
  close(): void {
    if (this.#state === 'RUN') this.#state = 'CLOSE';
  }

  /** Stops at once: queued work is dropped, running tasks are cancelled, their results fail. */
  terminate(): void {
    if (this.#state === 'TERMINATE') return;
    this.#state = 'TERMINATE';
    this.#pendingHead = this.#pending.length = 0;
    for (const launch of this.#inflight) launch.cancel();
    this.#stopWorkers('terminated');
    this.#workers?.cancel();
    this.#failAll(new ProcessError('the pool was terminated before this result was ready'));
  }

  /** Cancels a submitted call whose work has not started; true when it was cancelled (it then fails with CancelledError). */
  cancel(result: { readonly id: number }): boolean {
    const job = this.#cache.get(result.id);
    if (!job || job.started || job !== (result as object)) return false;
    const waiting = this.#pending.slice(this.#pendingHead).filter((unit) => unit.job !== job);
    this.#pending.length = this.#pendingHead = 0;
    this.#pending.push(...waiting);
    this.#settle(job, () => job.fail(new CancelledError(`result ${job.id} was cancelled before it ran`)));
    return true;
  }

  /** Waits for all submitted work; the pool must be closed or terminated first. */
  async join(): Promise<void> {
    if (this.#state === 'RUN') throw new ValueError('Pool is still running: call close() or terminate() before join()');
    while (this.#cache.size > 0 || this.#inflight.size > 0) {
      this.#whenIdle ??= deferred();
      await this.#whenIdle.promise;
    }
    // Pool workers leave on their own once told: waiting for them here would let a result that
    // failed meanwhile (`return pool.map(…)` in an `await using` block) go unhandled for a while.
    this.#stopWorkers('closed');
  }

  /**
   * Leaving an `await using` block closes the pool and waits for its work. Python's
   * `with` terminates instead; here `return pool.map(…)` hands back a promise that
   * is still running when the block is left, and terminating would cut it off.
   */
  async [asyncDispose](): Promise<void> {
    this.close();
    await this.join();
  }

  #mapAsync<F extends AnyFunction>(fn: TaskRef<F>, argLists: unknown[][], options: number | (MapOptions & ResultCallbacks<TaskResult<F>[]>) | undefined, method: string): MapResult<TaskResult<F>> {
    const { chunksize, timeout, ...callbacks } = typeof options === 'number' ? { chunksize: options } : (options ?? {});
    const size = chunksize ?? defaultChunksize(argLists.length, this.processes);
    const result = new MapResult<TaskResult<F>>(this.#jobCounter++, argLists.length, size, callbacks, fn.taskName);
    this.#submit(result, fn, argLists, size, timeout, method);
    return result;
  }

  #imap<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options: number | MapOptions | undefined, ordered: boolean): IMapIterator<TaskResult<F>> {
    const { chunksize = 1, timeout } = typeof options === 'number' ? { chunksize: options } : (options ?? {});
    const argLists = Array.from(iterable, (item) => [item]);
    const iterator = new IMapIterator<TaskResult<F>>(this.#jobCounter++, argLists.length, chunksize, ordered, fn.taskName);
    this.#submit(iterator, fn, argLists, chunksize, timeout, ordered ? 'imap' : 'imapUnordered');
    return iterator;
  }

  /** Validates, encodes and queues a job's chunks; a job that cannot be sent fails without running anything. */
  #submit(job: Job, fn: TaskRef, argLists: unknown[][], chunksize: number, timeout: Duration | undefined, method: string): void {
    this.#cache.set(job.id, job);
    try {
      if (this.#state !== 'RUN') throw new ValueError('Pool not running');
      assertTaskRef(fn, `${method}(fn, …): fn`);
      if (argLists.length > 0 && (!Number.isInteger(chunksize) || chunksize < 1)) {
        throw new ValueError(`chunksize must be a positive integer, got ${chunksize}`);
      }
      const timeoutMs = toMs(timeout);
      const chunks = Math.ceil(argLists.length / chunksize);
      const calls: ChunkCall[] = [];
      for (let i = 0; i < chunks; i++) {
        const items = argLists.slice(i * chunksize, (i + 1) * chunksize);
        calls.push({
          task: fn.taskName,
          items: dumps(items, `the arguments of ${fn.taskName} (chunk ${i + 1} of ${method})`),
          summary: `${fn.taskName} · ${method} ${job.id} · chunk ${i + 1}/${chunks}`,
          timeoutMs,
        });
      }
      if (this.dispatch === 'queue' && calls.length > 0) this.#submitToQueue(job, calls);
      else this.#settle(job, () => this.#enqueue(job, calls));
    } catch (error) {
      this.#settle(job, () => job.fail(error as Error));
    }
  }

  /**
   * Queue dispatch: one round trip puts every chunk on the pool's job queue (FIFO across jobs);
   * outcomes are collected in a few waits per job, each for a quarter of what is still missing,
   * so the main program's history grows with the logarithm of a map's chunks, not with them.
   */
  #submitToQueue(job: Job, calls: ChunkCall[]): void {
    job.started = true;
    const runtime = transport();
    const key = this.#id;
    void (async () => {
      await runtime.state({ op: 'pool.submit', key, job: job.id, calls, stragglerFactor: this.#straggler.factor, stragglerMinMs: this.#straggler.minMs });
      // After the first submit: a worker that finds no pool in Redis leaves at once.
      const workersJustStarted = !this.#workers;
      this.#workers ??= this.#startWorkers();
      for (let cursor = 0; !job.finished; ) {
        const need = cursor + Math.ceil((calls.length - cursor) / 4);
        const awaitsNewWork = workersJustStarted && cursor === 0;
        const entries = await runtime.state({ op: 'pool.collect', key, job: job.id, cursor, need, block: true, awaitsNewWork });
        if (entries === 'terminated') return;
        cursor += entries.length;
        this.#settle(job, () => entries.forEach(([index, outcome]) => job.setChunk(index, loads<Outcome>(outcome))));
      }
    })()
      .catch((error: Error) => this.#settle(job, () => job.fail(error)))
      .finally(() => {
        this.#inflight.delete(collector);
        this.#notifyIfIdle();
      });
    // Not cancelled directly: terminating the pool wakes the collector with 'terminated'.
    const collector = { cancel: () => {} };
    this.#inflight.add(collector);
  }

  /** Tells the pool workers to leave: once drained ('closed') or at once ('terminated'); after a terminate, nothing more. */
  #stopWorkers(how: 'closed' | 'terminated'): void {
    if (!this.#workers || (this.#workersStopped && how === 'closed')) return;
    this.#workersStopped = true;
    transport().state({ op: 'pool.stop', key: this.#id, how }).catch(() => {});
  }

  #startWorkers(): PoolWorkers {
    const workers = transport().startPoolWorkers({
      poolId: this.#id,
      processes: this.processes,
      initializer: this.#initializer,
      initargs: this.#initargs,
      maxTasksPerChild: this.#maxTasksPerChild,
    });
    // Workers leave only once the pool is closed or terminated: any other end loses the work.
    workers.done.then(
      () => this.#failAll(new ProcessError('the pool workers left before the work was done')),
      (error: Error) => this.#failAll(new ProcessError(`the pool workers failed: ${error.message}`, { cause: error })),
    );
    return workers;
  }

  #failAll(error: Error): void {
    for (const job of [...this.#cache.values()]) this.#settle(job, () => job.fail(error));
  }

  /** Groups the chunks of a map too large for one launch each into batches. */
  #enqueue(job: Job, calls: ChunkCall[]): void {
    const { maxChunksPerMap } = transport();
    if (calls.length <= maxChunksPerMap) {
      calls.forEach((call, first) => this.#pending.push({ job, first, calls: [call], width: 1 }));
    } else {
      const batches = Math.ceil(calls.length / maxChunksPerMap);
      const width = Math.max(1, Math.floor(this.processes / Math.min(batches, this.processes)));
      for (let first = 0; first < calls.length; first += maxChunksPerMap) {
        this.#pending.push({ job, first, calls: calls.slice(first, first + maxChunksPerMap), width });
      }
    }
    this.#dispatch();
  }

  #dispatch(): void {
    const pending = this.#pending;
    while (this.#pendingHead < pending.length && this.#busySlots + pending[this.#pendingHead].width <= this.processes) {
      this.#start(pending[this.#pendingHead++]);
    }
    if (this.#pendingHead === pending.length) this.#pendingHead = pending.length = 0;
  }

  #start(unit: Unit): void {
    unit.job.started = true;
    const slots = this.#freeSlots.splice(-unit.width, unit.width);
    this.#busySlots += unit.width;
    const calls = unit.calls.map((call, i) => ({ ...call, slot: this.#assign(slots[i % slots.length]) }));
    const runtime = transport();
    const launch = calls.length === 1 ? runtime.launch(calls[0]) : runtime.launchBatch(calls, unit.width);
    this.#inflight.add(launch);
    const { job, first } = unit;
    launch.result.then(
      (encoded) => {
        const outcomes: Uint8Array[] = calls.length === 1 ? [encoded] : loads<Uint8Array[]>(encoded);
        this.#settle(job, () => outcomes.forEach((outcome, i) => job.setChunk(first + i, loads<Outcome>(outcome))));
      },
      (error: Error) => this.#settle(job, () => calls.forEach((_, i) => job.setChunk(first + i, [false, error]))),
    ).finally(() => {
      this.#inflight.delete(launch);
      this.#freeSlots.push(...slots);
      this.#busySlots -= unit.width;
      if (this.#state !== 'TERMINATE') this.#dispatch();
      this.#notifyIfIdle();
    });
  }

  /** The slot a chunk runs on, retiring the slot's worker after `maxTasksPerChild` tasks. */
  #assign(index: number): ChunkCall['slot'] {
    if (this.#maxTasksPerChild !== undefined && this.#slotTasks[index] === this.#maxTasksPerChild) {
      this.#slotTasks[index] = 0;
      this.#slotGeneration[index]++;
    }
    this.#slotTasks[index]++;
    return {
      poolId: this.#id,
      index,
      generation: this.#slotGeneration[index],
      initializer: this.#initializer,
      initargs: this.#initargs,
    };
  }

  /** Applies `update` to `job` and drops the job from the cache once it needs nothing more. */
  #settle(job: Job, update: () => void): void {
    update();
    if (job.finished) {
      this.#cache.delete(job.id);
      this.#notifyIfIdle();
    }
  }

  #notifyIfIdle(): void {
    if (this.#whenIdle && this.#cache.size === 0 && this.#inflight.size === 0) {
      this.#whenIdle.resolve();
      this.#whenIdle = undefined;
    }
  }

}

/**
 * 'auto': queue dispatch under the durable engine, where an activity per chunk costs history
 * events and a database write; direct launches under the local engine, where a launch is a
 * message to a thread (bench/task-overhead measures both).
 */
function chooseDispatch(dispatch: Dispatch, engine: string): 'activity' | 'queue' {
  if (dispatch !== 'activity' && dispatch !== 'queue' && dispatch !== 'auto') {
    throw new ValueError(`options.dispatch must be 'activity', 'queue' or 'auto', got ${String(dispatch)}`);
  }
  if (dispatch !== 'auto') return dispatch;
  return engine === 'temporal' ? 'queue' : 'activity';
}

function stragglerSettings(speculative: boolean | StragglerOptions): { factor: number; minMs: number } {
  if (speculative === false) return { factor: 0, minMs: 0 };
  const { factor = 3, minRunTime = 1_000 } = speculative === true ? {} : speculative;
  if (!(typeof factor === 'number' && factor >= 1)) throw new ValueError(`options.speculative.factor must be a number ≥ 1, got ${String(factor)}`);
  return { factor, minMs: toMs(minRunTime) ?? 1_000 };
}

/** Python's rule: about four chunks per worker. */
function defaultChunksize(items: number, processes: number): number {
  if (items === 0) return 0;
  return Math.ceil(items / (processes * 4));
}

/**
 * The promise of `work()`, marked as handled: `return pool.map(…)` inside `await using pool`
 * awaits it only once the pool is joined, and a map that failed while other chunks were still
 * running would otherwise be reported as an unhandled rejection meanwhile. Callers still get it.
 */
function awaitedLater<T>(work: () => Promise<T>): Promise<T> {
  const promise = (async () => work())();
  promise.catch(() => {});
  return promise;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The result of `applyAsync` and `mapAsync`. */
class AsyncResult<T> {
  started = false;
  #outcome?: [true, T] | [false, Error];
  readonly #settled = deferred();
  readonly #callbacks: ResultCallbacks<T>;

  constructor(readonly id: number, callbacks: ResultCallbacks<T> = {}) {
    this.#callbacks = callbacks;
  }

  ready(): boolean {
    return this.#outcome !== undefined;
  }

  get finished(): boolean {
    return this.ready();
  }

  /** Whether the call completed without raising; a ValueError before it is ready, as in Python. */
  successful(): boolean {
    if (!this.#outcome) throw new ValueError(`result ${this.id} is not ready`);
    return this.#outcome[0];
  }

  /** Waits until the result is ready or `timeout` passes; does not throw on timeout. */
  async wait(timeout?: Duration): Promise<void> {
    await transport().settlesWithin(this.#settled.promise, toMs(timeout));
  }

  /** The result, or the task's error; TimeoutError when not ready within `timeout`. */
  async get(timeout?: Duration): Promise<T> {
    if (!(await transport().settlesWithin(this.#settled.promise, toMs(timeout)))) {
      throw new TimeoutError(`result ${this.id} was not ready within ${timeout}`);
    }
    const [ok, value] = this.#outcome!;
    if (!ok) throw value;
    return value;
  }

  protected settle(outcome: [true, T] | [false, Error]): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.#settled.resolve();
    const { callback, errorCallback } = this.#callbacks;
    try {
      if (outcome[0]) callback?.(outcome[1]);
      else errorCallback?.(outcome[1]);
    } catch (error) {
      transport().warn(`a callback of result ${this.id} threw`, error);
    }
  }

  fail(error: Error): void {
    this.settle([false, error]);
  }
}

class ApplyResult<T> extends AsyncResult<T> {
  setChunk(_index: number, outcome: Outcome): void {
    this.settle(outcome[0] ? [true, outcome[1][0] as T] : outcome);
  }
}

/** Reassembles a map's chunks in order; the first error wins. */
class MapResult<T> extends AsyncResult<T[]> {
  readonly #values: T[];
  #remaining: number;
  #failed = 0;

  constructor(id: number, readonly length: number, readonly chunksize: number, callbacks: ResultCallbacks<T[]>, readonly task: string) {
    super(id, callbacks);
    this.#values = new Array(length);
    this.#remaining = length === 0 ? 0 : Math.ceil(length / chunksize);
    if (this.#remaining === 0) this.settle([true, this.#values]);
  }

  setChunk(index: number, outcome: Outcome): void {
    this.#remaining--;
    if (outcome[0]) {
      const values = outcome[1] as T[];
      for (let i = 0; i < values.length; i++) this.#values[index * this.chunksize + i] = values[i];
    } else {
      this.#failed++;
    }
    const chunks = Math.ceil(this.length / this.chunksize);
    transport().reportProgress({ job: `${this.id}`, task: this.task, chunks, done: chunks - this.#remaining, failed: this.#failed });
    if (!outcome[0]) this.settle(outcome);
    else if (this.#remaining === 0) this.settle([true, this.#values]);
  }

}

/** `imap` / `imapUnordered`: an async iterable that yields results as their chunks land. */
class IMapIterator<T> implements AsyncIterable<T> {
  started = false;
  readonly #ordered: boolean;
  readonly #chunks: (Outcome | undefined)[];
  readonly #arrived: number[] = [];
  #yieldedChunks = 0;
  #failed = 0;
  #wake?: () => void;
  #error?: Error;

  constructor(readonly id: number, readonly length: number, readonly chunksize: number, ordered: boolean, readonly task: string) {
    this.#ordered = ordered;
    this.#chunks = new Array(length === 0 ? 0 : Math.ceil(length / chunksize));
  }

  setChunk(index: number, outcome: Outcome): void {
    this.#chunks[index] = outcome;
    this.#arrived.push(index);
    if (!outcome[0]) this.#failed++;
    transport().reportProgress({ job: `${this.id}`, task: this.task, chunks: this.#chunks.length, done: this.#arrived.length, failed: this.#failed });
    this.#wake?.();
  }

  get finished(): boolean {
    return this.#error !== undefined || this.#arrived.length === this.#chunks.length;
  }

  fail(error: Error): void {
    this.#error ??= error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (this.#yieldedChunks < this.#chunks.length) {
      const index = this.#ordered ? this.#yieldedChunks : this.#arrived[this.#yieldedChunks];
      const outcome = index === undefined ? undefined : this.#chunks[index];
      if (outcome === undefined) {
        if (this.#error) throw this.#error;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      this.#yieldedChunks++;
      if (!outcome[0]) throw outcome[1];
      yield* outcome[1] as T[];
    }
    if (this.#error) throw this.#error;
  }
}
