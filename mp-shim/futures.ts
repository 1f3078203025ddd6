/** `concurrent.futures` over a process pool: ProcessPoolExecutor, Future, asCompleted, wait. */
import { asyncDispose } from './dispose.js';
import { toMs, type Duration } from './duration.js';
import { CancelledError, TimeoutError, ValueError } from './errors.js';
import { Pool, type AsyncResult, type PoolOptions } from './pool/index.js';
import type { AnyFunction, TaskArgs, TaskRef, TaskResult } from './tasks.js';
import { transport } from './transport.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export class Future<T = unknown> {
  #result?: AsyncResult<T>;
  #cancelled = false;
  #settled!: () => void;
  readonly #done = new Promise<void>((resolve) => (this.#settled = resolve));
  readonly #callbacks: ((future: Future<T>) => void)[] = [];

  constructor(private readonly pool: Pool) {}

  /** Called by the executor with the pool's result, whose callbacks call `settle`. */
  attach(result: AsyncResult<T>): void {
    this.#result = result;
  }

  settle(): void {
    this.#settled();
    for (const callback of this.#callbacks.splice(0)) callback(this);
  }

  /** Cancels the call unless it is running or done; true when it is cancelled. */
  cancel(): boolean {
    if (this.#cancelled) return true;
    if (!this.#result || !this.pool.cancel(this.#result)) return false;
    this.#cancelled = true;
    return true;
  }

  cancelled(): boolean {
    return this.#cancelled;
  }

  running(): boolean {
    return !!this.#result?.started && !this.done();
  }

  done(): boolean {
    return this.#cancelled || !!this.#result?.ready();
  }

  /** The call's value; its error rethrown; CancelledError when cancelled; TimeoutError after `timeout`. */
  async result(timeout?: Duration): Promise<T> {
    await this.#waitDone(timeout);
    if (this.#cancelled) throw new CancelledError('the future was cancelled');
    return this.#result!.get();
  }

  /** The call's error, or null when it succeeded. */
  async exception(timeout?: Duration): Promise<Error | null> {
    await this.#waitDone(timeout);
    if (this.#cancelled) throw new CancelledError('the future was cancelled');
    return this.#result!.get().then(() => null, (error: Error) => error);
  }

  /** Calls `callback(future)` when the future is done (at once if it is). */
  addDoneCallback(callback: (future: Future<T>) => void): void {
    if (this.done()) callback(this);
    else this.#callbacks.push(callback);
  }

  /** Resolves when the future is done; for asCompleted and wait. */
  get whenDone(): Promise<void> {
    return this.#done;
  }

  async #waitDone(timeout?: Duration): Promise<void> {
    if (!(await transport().settlesWithin(this.#done, toMs(timeout)))) throw new TimeoutError(`the future was not done within ${timeout}`);
  }
}

export interface ExecutorMapOptions {
  /** Time from the call to map by which every result must be there. */
  timeout?: Duration;
  /** Items per task. */
  chunksize?: number;
  /** At most this many chunks submitted ahead of the consumer. */
  buffersize?: number;
}

export class ProcessPoolExecutor {
  readonly #pool: Pool;
  readonly #futures = new Set<{ cancel(): boolean }>();
  #shutdown = false;

  /** Each submit is dispatched on its own unless `options.dispatch` says otherwise: a queued future can then be cancelled. */
  constructor(maxWorkers?: number, options: PoolOptions = {}) {
    this.#pool = new Pool(maxWorkers, { dispatch: 'activity', ...options });
  }

  /** Schedules `fn(...args)`; returns its Future. */
  submit<F extends AnyFunction>(fn: TaskRef<F>, ...args: TaskArgs<F>): Future<TaskResult<F>> {
    if (this.#shutdown) throw new ValueError('cannot schedule new futures after shutdown');
    const future = new Future<TaskResult<F>>(this.#pool);
    this.#futures.add(future);
    const settle = () => {
      this.#futures.delete(future);
      future.settle();
    };
    future.attach(this.#pool.applyAsync(fn, args, { callback: settle, errorCallback: settle }));
    return future;
  }

  /** `fn` over the items of the iterables zipped together, results in order as they are ready. */
  async *map<F extends AnyFunction>(fn: TaskRef<F>, ...iterablesAndOptions: [...Iterable<unknown>[], ExecutorMapOptions] | Iterable<unknown>[]): AsyncGenerator<TaskResult<F>> {
    const last = iterablesAndOptions.at(-1);
    const options: ExecutorMapOptions = last && !(Symbol.iterator in (last as object)) ? (iterablesAndOptions.pop() as ExecutorMapOptions) : {};
    const { chunksize = 1, buffersize = Infinity } = options;
    const timeoutMs = toMs(options.timeout);
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const columns = (iterablesAndOptions as Iterable<unknown>[]).map((iterable) => [...iterable]);
    const argLists = Array.from({ length: Math.min(...columns.map((column) => column.length)) }, (_, i) => columns.map((column) => column[i]));
    const chunks: AsyncResult<TaskResult<F>[]>[] = [];
    let submitted = 0;
    const submitMore = () => {
      while (submitted < argLists.length && chunks.length < buffersize) {
        chunks.push(this.#pool.starmapAsync(fn, argLists.slice(submitted, submitted + chunksize) as TaskArgs<F>[], chunksize));
        submitted += chunksize;
      }
    };
    submitMore();
    while (chunks.length > 0) {
      const remaining = deadline === undefined ? undefined : Math.max(deadline - Date.now(), 0);
      const values = await chunks.shift()!.get(remaining);
      submitMore();
      yield* values;
    }
  }

  /** No new work; `wait` waits for what was submitted; `cancelFutures` cancels what has not started. */
  async shutdown(wait = true, { cancelFutures = false }: { cancelFutures?: boolean } = {}): Promise<void> {
    this.#shutdown = true;
    if (cancelFutures) for (const future of this.#futures) future.cancel();
    this.#pool.close();
    if (wait) await this.#pool.join();
  }

  async [asyncDispose](): Promise<void> {
    await this.shutdown(true);
  }
}

/** The futures in the order they complete; TimeoutError when `timeout` passes first. */
export async function* asCompleted<T>(futures: Iterable<Future<T>>, timeout?: Duration): AsyncGenerator<Future<T>> {
  const timeoutMs = toMs(timeout);
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const pending = new Set(futures);
  while (pending.size > 0) {
    const next = Promise.race([...pending].map((future) => future.whenDone.then(() => future)));
    const remaining = deadline === undefined ? undefined : Math.max(deadline - Date.now(), 0);
    if (!(await transport().settlesWithin(next, remaining))) throw new TimeoutError(`${pending.size} futures were not done within ${timeout}`);
    for (const future of [...pending]) {
      if (future.done()) {
        pending.delete(future);
        yield future;
      }
    }
  }
}

/** Waits until `returnWhen` holds or `timeout` passes; returns the done and not-done futures. */
export async function wait<T>(futures: Iterable<Future<T>>, { timeout, returnWhen = ALL_COMPLETED }: { timeout?: Duration; returnWhen?: ReturnWhen } = {}): Promise<{ done: Set<Future<T>>; notDone: Set<Future<T>> }> {
  const all = [...futures];
  const failed = (future: Future<T>) => future.whenDone.then(async () => (!future.cancelled() && (await future.exception()) !== null ? future : new Promise<never>(() => {})));
  const condition =
    returnWhen === FIRST_COMPLETED
      ? Promise.race(all.map((future) => future.whenDone))
      : returnWhen === FIRST_EXCEPTION
        ? Promise.race([Promise.all(all.map((future) => future.whenDone)), ...all.map(failed)])
        : Promise.all(all.map((future) => future.whenDone));
  await transport().settlesWithin(condition, toMs(timeout));
  const done = new Set(all.filter((future) => future.done()));
  return { done, notDone: new Set(all.filter((future) => !done.has(future))) };
}
