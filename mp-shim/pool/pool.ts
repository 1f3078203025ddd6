/** Process pools (CPython: multiprocessing/pool.py) over the installed transport. */
import { deferred, type Deferred } from '../deferred.js';
import { asyncDispose } from '../dispose.js';
import { toMs, type Duration } from '../duration.js';
import { CancelledError, ProcessError, ValueError } from '../errors.js';
import { dumps } from '../serialization.js';
import { assertTaskRef, type AnyFunction, type TaskArgs, type TaskRef, type TaskResult } from '../tasks.js';
import { transport, type ChunkCall, type Dispatch } from '../transport.js';
import { ActivityDispatcher } from './activity-dispatch.js';
import type { Dispatcher, PoolHost } from './dispatcher.js';
import { QueueDispatcher, type StragglerSettings } from './queue-dispatch.js';
import { ApplyResult, IMapIterator, MapResult, type AsyncResult, type Job, type ResultCallbacks } from './results.js';
import type { SlotSpec } from './slots.js';

type PoolState = 'RUN' | 'CLOSE' | 'TERMINATE';

export interface StragglerOptions {
  /** A chunk is a straggler once it ran this many times its map's median chunk time. Default 3. */
  factor?: number;
  /** … and at least this long. Default 1 s. */
  minRunTime?: Duration;
}

export interface PoolOptions {
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

export interface MapOptions {
  /** Items per task; default as in Python: ceil(len / (4 * processes)). */
  chunksize?: number;
  /** Stops a task that runs longer; its chunk fails with TimeoutError. */
  timeout?: Duration;
}

export interface ApplyOptions<T> extends ResultCallbacks<T> {
  timeout?: Duration;
}

const OPEN_POOLS = Symbol.for('mpflow.pools');

/** The pools of this run not yet joined or terminated (on globalThis: each workflow run has its own). */
export function openPools(): Set<Pool> {
  const holder = globalThis as { [OPEN_POOLS]?: Set<Pool> };
  return (holder[OPEN_POOLS] ??= new Set());
}

export class Pool implements PoolHost {
  readonly processes: number;
  readonly slots: SlotSpec;
  readonly dispatch: 'activity' | 'queue';
  #state: PoolState = 'RUN';
  #jobCounter = 0;
  /** Submitted jobs that still need chunks: pool.py's cache. */
  readonly #cache = new Map<number, Job>();
  readonly #dispatcher: Dispatcher;
  #whenIdle?: Deferred;

  constructor(processes?: number, options: PoolOptions = {}) {
    const runtime = transport();
    if (processes === undefined) processes = runtime.cpuCount();
    if (!Number.isInteger(processes) || processes < 1) {
      throw new ValueError(`Number of processes must be at least 1 (an integer), got ${processes}`);
    }
    if (options.initializer !== undefined) assertTaskRef(options.initializer, 'options.initializer');
    const { maxTasksPerChild } = options;
    if (maxTasksPerChild !== undefined && (!Number.isInteger(maxTasksPerChild) || maxTasksPerChild < 1)) {
      throw new ValueError(`options.maxTasksPerChild must be a positive integer, got ${maxTasksPerChild}`);
    }
    this.processes = processes;
    this.slots = {
      poolId: runtime.uuid(),
      initializer: options.initializer?.taskName,
      initargs: options.initializer ? dumps(options.initargs ?? [], 'options.initargs') : undefined,
      maxTasksPerChild,
    };
    this.dispatch = chooseDispatch(options.dispatch ?? runtime.dispatch, runtime.engine);
    const straggler = stragglerSettings(options.speculative ?? true);
    this.#dispatcher = this.dispatch === 'queue' ? new QueueDispatcher(this, straggler) : new ActivityDispatcher(this);
    openPools().add(this);
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
    return this.#mapAsync(fn, itemsOf(iterable, 'map(fn, iterable): iterable').map((item) => [item]), options, 'map');
  }

  /** Like `map`, but each item is the argument list: `fn(...item)`. */
  starmap<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>>, options?: number | MapOptions): Promise<TaskResult<F>[]> {
    return awaitedLater(() => this.starmapAsync(fn, iterable, options).get());
  }

  starmapAsync<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>>, options?: number | (MapOptions & ResultCallbacks<TaskResult<F>[]>)): MapResult<TaskResult<F>> {
    return this.#mapAsync(fn, itemsOf(iterable, 'starmap(fn, iterable): iterable').map((args) => itemsOf(args, 'starmap(fn, iterable): an item of iterable')), options, 'starmap');
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
    openPools().delete(this);
    this.#dispatcher.terminate();
    this.failAll(new ProcessError('the pool was terminated before this result was ready'));
  }

  /** Cancels a submitted call whose work has not started; true when it was cancelled (it then fails with CancelledError). */
  cancel(result: { readonly id: number }): boolean {
    const job = this.#cache.get(result.id);
    if (!job || job.started || job !== (result as object)) return false;
    this.#dispatcher.withdraw(job);
    this.settle(job, () => job.fail(new CancelledError(`result ${job.id} was cancelled before it ran`)));
    return true;
  }

  /** Waits for all submitted work; the pool must be closed or terminated first. */
  async join(): Promise<void> {
    if (this.#state === 'RUN') throw new ValueError('Pool is still running: call close() or terminate() before join()');
    while (this.#cache.size > 0 || this.#dispatcher.busy) {
      this.#whenIdle ??= deferred();
      await this.#whenIdle.promise;
    }
    // Pool workers leave on their own once told: waiting for them here would let a result that
    // failed meanwhile (`return pool.map(…)` in an `await using` block) go unhandled for a while.
    this.#dispatcher.close();
    openPools().delete(this);
  }

  /** Waits until the pool's workers have left; the pool must be joined (or terminated) first. */
  async workersLeft(): Promise<void> {
    await this.#dispatcher.left();
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

  /** Applies `update` to `job` and drops the job from the cache once it needs nothing more. */
  settle(job: Job, update: () => void): void {
    update();
    if (job.finished) {
      this.#cache.delete(job.id);
      this.workEnded();
    }
  }

  failAll(error: Error): void {
    for (const job of [...this.#cache.values()]) this.settle(job, () => job.fail(error));
  }

  workEnded(): void {
    if (this.#whenIdle && this.#cache.size === 0 && !this.#dispatcher.busy) {
      this.#whenIdle.resolve();
      this.#whenIdle = undefined;
    }
  }

  #mapAsync<F extends AnyFunction>(fn: TaskRef<F>, argLists: unknown[][], options: number | (MapOptions & ResultCallbacks<TaskResult<F>[]>) | undefined, method: string): MapResult<TaskResult<F>> {
    const { chunksize, timeout, ...callbacks } = typeof options === 'number' ? { chunksize: options } : (options ?? {});
    const size = chunksize ?? defaultChunksize(argLists.length, this.processes);
    const result = new MapResult<TaskResult<F>>(this.#jobCounter++, argLists.length, size, callbacks, fn.taskName, this.slots.poolId);
    this.#submit(result, fn, argLists, size, timeout, method);
    return result;
  }

  #imap<F extends AnyFunction>(fn: TaskRef<F>, iterable: Iterable<TaskArgs<F>[0]>, options: number | MapOptions | undefined, ordered: boolean): IMapIterator<TaskResult<F>> {
    const { chunksize = 1, timeout } = typeof options === 'number' ? { chunksize: options } : (options ?? {});
    const argLists = itemsOf(iterable, `${ordered ? 'imap' : 'imapUnordered'}(fn, iterable): iterable`).map((item) => [item]);
    const iterator = new IMapIterator<TaskResult<F>>(this.#jobCounter++, argLists.length, chunksize, ordered, fn.taskName, this.slots.poolId);
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
        throw new ValueError(`Chunksize must be 1+ (an integer), not ${chunksize}`);
      }
      const timeoutMs = toMs(timeout);
      const chunks = Math.ceil(argLists.length / chunksize);
      const calls: ChunkCall[] = [];
      const queuedAt = Date.now();
      for (let i = 0; i < chunks; i++) {
        const items = argLists.slice(i * chunksize, (i + 1) * chunksize);
        calls.push({
          id: `${this.slots.poolId}:${job.id}:${i}`,
          task: fn.taskName,
          items: dumps(items, `the arguments of ${fn.taskName} (chunk ${i + 1} of ${method})`),
          summary: `${fn.taskName} · ${method} ${job.id} · chunk ${i + 1}/${chunks}`,
          timeoutMs,
          queuedAt,
        });
      }
      // A map of nothing was finished when it was made: nothing to dispatch or wait for.
      if (calls.length === 0) this.#cache.delete(job.id);
      else this.#dispatcher.submit(job, calls);
    } catch (error) {
      this.settle(job, () => job.fail(error as Error));
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

function stragglerSettings(speculative: boolean | StragglerOptions): StragglerSettings {
  if (speculative === false) return { factor: 0, minMs: 0 };
  const { factor = 3, minRunTime = 1_000 } = speculative === true ? {} : speculative;
  if (!(typeof factor === 'number' && factor >= 1)) throw new ValueError(`options.speculative.factor must be a number ≥ 1, got ${String(factor)}`);
  return { factor, minMs: toMs(minRunTime) ?? 1_000 };
}

/** The items of `iterable`, or the TypeError Python raises for what is not iterable (`pool.map(fn, 5)`). */
function itemsOf<T>(iterable: Iterable<T>, what: string): T[] {
  if (typeof (iterable as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what}: '${iterable === null ? 'null' : typeof iterable}' object is not iterable`);
  }
  return Array.from(iterable);
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

