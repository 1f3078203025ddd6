/**
 * What a pool hands back (CPython: pool.py's ApplyResult, MapResult, IMapIterator): results
 * filled chunk by chunk as `(success, value)` outcomes land; a map's first error wins.
 */
import { deferred } from '../deferred.js';
import { toMs, type Duration } from '../duration.js';
import { TimeoutError, ValueError } from '../errors.js';
import { transport, type Outcome } from '../transport.js';

export interface ResultCallbacks<T> {
  callback?: (value: T) => void;
  errorCallback?: (error: Error) => void;
}

/** A submitted call as its pool tracks it (pool.py's cache entries). */
export interface Job {
  readonly id: number;
  /** True once the job needs no more chunks (all landed, or it failed). */
  readonly finished: boolean;
  /** True once one of its chunks was launched. */
  started: boolean;
  setChunk(index: number, outcome: Outcome): void;
  fail(error: Error): void;
}

/** The result of `applyAsync` and `mapAsync`. */
export class AsyncResult<T> {
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

export class ApplyResult<T> extends AsyncResult<T> {
  setChunk(_index: number, outcome: Outcome): void {
    this.settle(outcome[0] ? [true, outcome[1][0] as T] : outcome);
  }
}

/** Reassembles a map's chunks in order; the first error wins. */
export class MapResult<T> extends AsyncResult<T[]> {
  readonly #values: T[];
  #remaining: number;
  #failed = 0;

  constructor(id: number, readonly length: number, readonly chunksize: number, callbacks: ResultCallbacks<T[]>, readonly task: string, readonly pool: string) {
    super(id, callbacks);
    this.#values = new Array(length);
    this.#remaining = length === 0 ? 0 : Math.ceil(length / chunksize);
    this.#report();
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
    this.#report();
    if (!outcome[0]) this.settle(outcome);
    else if (this.#remaining === 0) this.settle([true, this.#values]);
  }

  /** The map's progress, from its start (none of its chunks done) to its end. */
  #report(): void {
    const chunks = Math.ceil(this.length / this.chunksize);
    transport().reportProgress({ pool: this.pool, job: `${this.id}`, task: this.task, chunks, done: chunks - this.#remaining, failed: this.#failed });
  }

}

/** `imap` / `imapUnordered`: an async iterable that yields results as their chunks land. */
export class IMapIterator<T> implements AsyncIterable<T> {
  started = false;
  readonly #ordered: boolean;
  readonly #chunks: (Outcome | undefined)[];
  readonly #arrived: number[] = [];
  #yieldedChunks = 0;
  #failed = 0;
  #wake?: () => void;
  #error?: Error;

  constructor(readonly id: number, readonly length: number, readonly chunksize: number, ordered: boolean, readonly task: string, readonly pool: string) {
    this.#ordered = ordered;
    this.#chunks = new Array(length === 0 ? 0 : Math.ceil(length / chunksize));
    this.#report();
  }

  setChunk(index: number, outcome: Outcome): void {
    this.#chunks[index] = outcome;
    this.#arrived.push(index);
    if (!outcome[0]) this.#failed++;
    this.#report();
    this.#wake?.();
  }

  #report(): void {
    transport().reportProgress({ pool: this.pool, job: `${this.id}`, task: this.task, chunks: this.#chunks.length, done: this.#arrived.length, failed: this.#failed });
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
