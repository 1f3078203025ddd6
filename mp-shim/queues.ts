/** Queues shared by the main program and tasks (CPython: multiprocessing/queues.py), held in Redis. */
import { toMs, type Duration } from './duration.js';
import { Empty, Full, ValueError } from './errors.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { dumps, loads } from './serialization.js';
import { transport } from './transport.js';

export class Queue<T = unknown> extends SharedObject {
  readonly maxsize: number;
  protected readonly id: string;
  protected readonly joinable: boolean = false;
  #closed = false;

  /** A queue holding at most `maxsize` items (0: unbounded); `put` blocks while it is full. */
  constructor(maxsize = 0, attachTo?: string) {
    super();
    if (!Number.isInteger(maxsize) || maxsize < 0) throw new ValueError(`maxsize must be a non-negative integer, got ${maxsize}`);
    this.maxsize = maxsize;
    this.id = attachTo ?? transport().uuid();
  }

  /** Adds `obj`; when full, waits for room (`block`), at most `timeout`, then raises Full. */
  async put(obj: T, block = true, timeout?: Duration): Promise<void> {
    if (this.#closed) throw new ValueError('Queue is closed');
    const item = dumps(obj, 'the item put on the queue');
    const timeoutMs = toMs(timeout);
    // An unbounded queue is never full: the put cannot fail, and the caller need not wait for it.
    if (this.maxsize === 0) return transport().post({ op: 'queue.put', key: this.id, item, maxsize: 0, joinable: this.joinable });
    const added = await transport().state({ op: 'queue.put', key: this.id, item, maxsize: this.maxsize, joinable: this.joinable, block, timeoutMs });
    if (!added) throw new Full(block ? `the queue stayed full for ${timeout}` : 'the queue is full');
  }

  /** Removes and returns the oldest item; when empty, waits (`block`), at most `timeout`, then raises Empty. */
  async get(block = true, timeout?: Duration): Promise<T> {
    if (this.#closed) throw new ValueError('Queue is closed');
    const item = await transport().state({ op: 'queue.get', key: this.id, block, timeoutMs: toMs(timeout) });
    if (item === null) throw new Empty(block ? `the queue stayed empty for ${timeout}` : 'the queue is empty');
    return loads<T>(item);
  }

  putNowait(obj: T): Promise<void> {
    return this.put(obj, false);
  }

  getNowait(): Promise<T> {
    return this.get(false);
  }

  /** The number of items at this moment (others may change it at once). */
  qsize(): Promise<number> {
    return transport().state({ op: 'queue.qsize', key: this.id });
  }

  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize;
  }

  /** This handle puts and gets no more; other handles to the queue are unaffected. */
  close(): void {
    this.#closed = true;
  }

  reduce(): Reduced {
    return { kind: this.joinable ? 'JoinableQueue' : 'Queue', state: [this.id, this.maxsize] };
  }
}

/** A Queue whose consumers report each item done, so producers can wait for all of them with `join()`. */
export class JoinableQueue<T = unknown> extends Queue<T> {
  protected override readonly joinable: boolean = true;

  /** One item taken with `get` is fully processed. ValueError when called more often than items were put. */
  async taskDone(): Promise<void> {
    if ((await transport().state({ op: 'queue.taskDone', key: this.id })) < 0) throw new ValueError('taskDone() called too many times');
  }

  /** Waits until every item put has been reported done. */
  async join(timeout?: Duration): Promise<void> {
    await transport().state({ op: 'queue.join', key: this.id, block: true, timeoutMs: toMs(timeout) });
  }
}

/** An unbounded queue with only put, get, empty and close (CPython's SimpleQueue). */
export class SimpleQueue<T = unknown> extends SharedObject {
  readonly #queue: Queue<T>;

  constructor(queue?: Queue<T>) {
    super();
    this.#queue = queue ?? new Queue<T>();
  }

  put(obj: T): Promise<void> {
    return this.#queue.put(obj);
  }

  get(): Promise<T> {
    return this.#queue.get();
  }

  empty(): Promise<boolean> {
    return this.#queue.empty();
  }

  close(): void {
    this.#queue.close();
  }

  reduce(): Reduced {
    return { kind: 'SimpleQueue', state: this.#queue };
  }
}

registerShared('Queue', ([id, maxsize]: [string, number]) => new Queue(maxsize, id));
registerShared('JoinableQueue', ([id, maxsize]: [string, number]) => new JoinableQueue(maxsize, id));
registerShared('SimpleQueue', (queue: Queue) => new SimpleQueue(queue));
