/**
 * Typed references to task functions. Functions cannot travel between processes
 * in JavaScript, so the main program names them: `proxyTasks<typeof T>()` gives one
 * reference per export of the tasks module, checked against its signature.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

export interface TaskRef<F extends AnyFunction = AnyFunction> {
  readonly taskName: string;
  /** Carries the signature for type checking only; never set. */
  readonly signature?: F;
}

export type TaskRefs<T> = { readonly [K in keyof T as T[K] extends AnyFunction ? K : never]: T[K] extends AnyFunction ? TaskRef<T[K]> : never };

export type TaskArgs<F extends AnyFunction> = Parameters<F>;
export type TaskResult<F extends AnyFunction> = Awaited<ReturnType<F>>;

export function proxyTasks<T>(): TaskRefs<T> {
  return new Proxy({} as TaskRefs<T>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      return taskRef(name);
    },
  });
}

export function taskRef<F extends AnyFunction = AnyFunction>(taskName: string): TaskRef<F> {
  return Object.freeze({ taskName });
}

export function assertTaskRef(value: unknown, what: string): asserts value is TaskRef {
  if (typeof value !== 'object' || value === null || typeof (value as TaskRef).taskName !== 'string') {
    throw new TypeError(`${what} must be a task reference from proxyTasks<typeof tasks>(), got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `the function ${value.name || '(anonymous)'} (functions cannot be sent to another process; name it through proxyTasks)`;
  return value === null ? 'null' : typeof value;
}
