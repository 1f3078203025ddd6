/**
 * Worker threads for the local backend. Each thread runs many tasks at once, so
 * async tasks (sleeps, I/O) interleave while CPU-bound ones are bounded by the
 * thread count; a task goes to the least busy thread. JavaScript cannot
 * interrupt a running function, so stopping a task terminates its thread: the
 * other tasks on it fail with ThreadLostError (the caller's retry policy runs
 * them again) and a fresh thread takes its place.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { ProcessError } from '../../mp-shim/errors.js';

export class ThreadLostError extends ProcessError {
  override name = 'ThreadLostError';
}

export interface ThreadReply {
  id: number;
  result?: Uint8Array;
  /** The thread's own failure (not the task's: task errors are results). */
  error?: string;
}

/**
 * What goes to a thread and back: the requests, and the replies, of one turn of the event loop
 * in one message (a message costs as much as a no-op task).
 */
export interface ThreadRequests {
  requests: { id: number; request: unknown }[];
}
export interface ThreadReplies {
  replies: ThreadReply[];
}

interface Pending {
  resolve(result: Uint8Array): void;
  reject(error: Error): void;
}

/** A thread as the pool's owner sees it: it can be sent a message beside the tasks. */
export interface ThreadHandle {
  post(message: unknown): void;
}

/** Messages a thread sends beside its replies (they carry no `id`), and the end of a thread. */
export interface ThreadEvents {
  notice(thread: ThreadHandle, message: unknown): void;
  retired(thread: ThreadHandle): void;
}

/** What each thread runs: its module, and what it starts with (workerData, Node options). */
export interface ThreadScript {
  filename: URL;
  options?: WorkerOptions;
}

class Thread implements ThreadHandle {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  #outbox: ThreadRequests['requests'] = [];

  constructor(script: ThreadScript, onLost: (thread: Thread, error: Error) => void, events?: ThreadEvents) {
    this.worker = new Worker(script.filename, script.options);
    this.worker.on('message', (message: ThreadReplies) => {
      if (!message.replies) return events?.notice(this, message);
      for (const { id, result, error } of message.replies) {
        const task = this.pending.get(id);
        if (!task) continue;
        this.pending.delete(id);
        if (error === undefined) task.resolve(result!);
        else task.reject(new ThreadLostError(error));
      }
    });
    this.worker.on('error', (error) => onLost(this, error));
    this.worker.on('exit', (code) => onLost(this, new ThreadLostError(`a task thread exited with code ${code}`)));
  }

  post(message: unknown): void {
    this.worker.postMessage(message);
  }

  send(id: number, request: unknown): void {
    if (this.#outbox.push({ id, request }) > 1) return;
    setImmediate(() => this.worker.postMessage({ requests: this.#outbox.splice(0) } satisfies ThreadRequests));
  }
}

export class ThreadPool {
  readonly #threads: Thread[] = [];
  #nextId = 0;
  #closed = false;

  constructor(
    private readonly script: ThreadScript,
    readonly size: number,
    private readonly events?: ThreadEvents,
  ) {
    for (let i = 0; i < size; i++) this.#threads.push(this.#spawn());
  }

  run(request: unknown, signal: AbortSignal): Promise<Uint8Array> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new ProcessError('the thread pool is closed'));
    const thread = this.#threads.reduce((least, t) => (t.pending.size < least.pending.size ? t : least));
    const id = this.#nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const stop = () => {
        thread.pending.delete(id);
        reject(signal.reason);
        this.#replace(thread, new ThreadLostError('a task thread was stopped to cancel another task on it'));
      };
      signal.addEventListener('abort', stop, { once: true });
      const settle = <T>(finish: (value: T) => void) => (value: T) => {
        signal.removeEventListener('abort', stop);
        finish(value);
      };
      thread.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      thread.send(id, request);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  #spawn(): Thread {
    return new Thread(this.script, (thread, error) => this.#replace(thread, error), this.events);
  }

  /** Retires `thread`, failing what still runs on it, and starts a fresh one in its place. */
  #replace(thread: Thread, error: Error): void {
    const index = this.#threads.indexOf(thread);
    if (index === -1) return;
    if (this.#closed) this.#threads.splice(index, 1);
    else this.#threads[index] = this.#spawn();
    for (const task of thread.pending.values()) task.reject(error instanceof ThreadLostError ? error : new ThreadLostError(error.message));
    thread.pending.clear();
    this.events?.retired(thread);
    void thread.worker.terminate();
  }
}
