/** The error hierarchy of mpflow, in one place (CPython: multiprocessing/context.py, queue, threading). */

export class ProcessError extends Error {
  override name = 'ProcessError';
}

/**
 * The run's setup is wrong in a way waiting cannot fix (no credentials, no such function or
 * bucket, access denied, code that cannot bundle): never retried, and the message says what to do.
 */
export class SetupError extends ProcessError {
  override name = 'SetupError';
}

/**
 * `SystemExit`: a task called `process.exit(code)`. The task ends there, as Python's
 * `sys.exit` ends a process: a `Process` gets `exitCode = code`, a pool's task fails with it.
 */
export class SystemExit extends ProcessError {
  override name = 'SystemExit';
  code = 0;

  static of(code: number): SystemExit {
    return Object.assign(new SystemExit(`the task called process.exit(${code})`), { code });
  }
}

/** A wait ran out of time (`AsyncResult.get(timeout)`, a task's own `timeout`). */
export class TimeoutError extends ProcessError {
  override name = 'TimeoutError';
}

/**
 * An error raised in another process whose class could not be rebuilt here.
 * `stack` is the remote stack; `remoteName` is the class name it had there.
 */
export class RemoteError extends ProcessError {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly remoteName: string = 'Error',
  ) {
    super(message);
  }
}

export class BrokenBarrierError extends Error {
  override name = 'BrokenBarrierError';
}

/** `queue.Empty`: a non-blocking or timed `get` found nothing. */
export class Empty extends Error {
  override name = 'Empty';
}

/** `queue.Full`: a non-blocking or timed `put` found no room. */
export class Full extends Error {
  override name = 'Full';
}

/** `ValueError`: an argument or state the call cannot accept. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** `EOFError`: the other end of a pipe was closed and nothing is left to read. */
export class EOFError extends Error {
  override name = 'EOFError';
}

/** `IndexError`: an index outside a shared array or list. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** `KeyError`: a key a shared dict does not hold. */
export class KeyError extends Error {
  override name = 'KeyError';
}

/** `RuntimeError`: an operation that needs a lock the caller does not hold. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** `concurrent.futures.CancelledError`: the future was cancelled before it ran. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

type ErrorClass = new (message?: string) => Error;

/** Classes an error may be rebuilt as when it crosses a process boundary, by name. */
export const rebuildableErrors: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['ProcessError', ProcessError],
  ['SystemExit', SystemExit],
  ['SetupError', SetupError],
  ['TimeoutError', TimeoutError],
  ['BrokenBarrierError', BrokenBarrierError],
  ['Empty', Empty],
  ['Full', Full],
  ['ValueError', ValueError],
  ['EOFError', EOFError],
  ['IndexError', IndexError],
  ['KeyError', KeyError],
  ['RuntimeError', RuntimeError],
  ['CancelledError', CancelledError],
]);
