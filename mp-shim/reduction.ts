/**
 * How shared objects cross process boundaries (CPython: reduction.py). A Queue,
 * Lock or Manager proxy passed to a task, put in a queue or sent over a pipe is
 * reduced to a handle naming its state in Redis, and rebuilt there as a working
 * object over the same state.
 */

export interface Reduced {
  kind: string;
  state: unknown;
}

export abstract class SharedObject {
  abstract reduce(): Reduced;
}

const rebuilders = new Map<string, (state: never) => SharedObject>();

export function registerShared<S>(kind: string, rebuild: (state: S) => SharedObject): void {
  rebuilders.set(kind, rebuild as (state: never) => SharedObject);
}

export function rebuild({ kind, state }: Reduced): SharedObject {
  const rebuildKind = rebuilders.get(kind);
  if (!rebuildKind) throw new TypeError(`cannot rebuild a shared ${kind}: no such kind is registered here (registered: ${[...rebuilders.keys()].join(', ') || 'none'})`);
  return rebuildKind(state as never);
}
