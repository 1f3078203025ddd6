/** Synchronization primitives (CPython: multiprocessing/synchronize.py), held in Redis. */
import { toMs, type Duration } from './duration.js';
import { BrokenBarrierError, RuntimeError, ValueError } from './errors.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { dumps, loads } from './serialization.js';
import type { TaskRef } from './tasks.js';
import { transport, type Outcome } from './transport.js';

/** What `hold()` returns: leaving an `await using` block releases the lock. */
export interface Held extends AsyncDisposable {
  release(): Promise<void>;
}

/** Acquires `primitive` (at most `timeout`) and returns what releases it when an `await using` block is left. */
async function holdFor(primitive: { acquire(block: boolean, timeout?: Duration): Promise<boolean>; release(): Promise<void> }, timeout: Duration | undefined, what: string): Promise<Held> {
  if (!(await primitive.acquire(true, timeout))) throw new ValueError(`could not acquire the ${what} within ${timeout}`);
  const release = () => primitive.release();
  return { release, [Symbol.asyncDispose]: release };
}

/**
 * A lock any process may release. Held by a task, it has a lease renewed while the task's
 * thread lives, so a lock whose holder died is free again after the lease (60 s).
 */
export class Lock extends SharedObject {
  protected readonly reentrant: boolean = false;
  readonly id: string;

  constructor(id?: string) {
    super();
    this.id = id ?? transport().uuid();
  }

  /** Takes the lock; waits while another holds it (`block`), at most `timeout`. True when taken. */
  async acquire(block = true, timeout?: Duration): Promise<boolean> {
    const runtime = transport();
    return runtime.state({ op: 'lock.acquire', key: this.id, owner: runtime.ownerId(), reentrant: this.reentrant, leaseMs: runtime.lockLeaseMs, block, timeoutMs: toMs(timeout) });
  }

  async release(): Promise<void> {
    const released = await transport().state({ op: 'lock.release', key: this.id, owner: transport().ownerId(), reentrant: this.reentrant });
    if (released === 0) throw new ValueError(`release of an unlocked ${this.reentrant ? 'RLock' : 'Lock'}`);
    if (released < 0) throw new RuntimeError('cannot release an RLock held by another process');
  }

  /** `with lock:` — `await using held = await lock.hold();` releases when the block is left. */
  hold(timeout?: Duration): Promise<Held> {
    return holdFor(this, timeout, 'lock');
  }

  reduce(): Reduced {
    return { kind: this.reentrant ? 'RLock' : 'Lock', state: this.id };
  }
}

/** A lock its owner may take again; only the owner releases it, once per acquire. */
export class RLock extends Lock {
  protected override readonly reentrant: boolean = true;
}

registerShared('Lock', (id: string) => new Lock(id));
registerShared('RLock', (id: string) => new RLock(id));

export class Semaphore extends SharedObject {
  readonly id: string;

  constructor(
    readonly initial = 1,
    id?: string,
  ) {
    super();
    if (!Number.isInteger(initial) || initial < 0) throw new ValueError(`semaphore initial value must be a non-negative integer, got ${initial}`);
    this.id = id ?? transport().uuid();
  }

  protected readonly kind: string = 'Semaphore';

  protected get bound(): number {
    return 0;
  }

  async acquire(block = true, timeout?: Duration): Promise<boolean> {
    return transport().state({ op: 'semaphore.acquire', key: this.id, initial: this.initial, block, timeoutMs: toMs(timeout) });
  }

  async release(n = 1): Promise<void> {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`n must be a positive integer, got ${n}`);
    const value = await transport().state({ op: 'semaphore.release', key: this.id, initial: this.initial, n, bound: this.bound });
    if (value < 0) throw new ValueError('semaphore or lock released too many times');
  }

  getValue(): Promise<number> {
    return transport().state({ op: 'semaphore.value', key: this.id, initial: this.initial });
  }

  hold(timeout?: Duration): Promise<Held> {
    return holdFor(this, timeout, 'semaphore');
  }

  reduce(): Reduced {
    return { kind: this.kind, state: [this.id, this.initial] };
  }
}

/** A semaphore that may not be released above its initial value. */
export class BoundedSemaphore extends Semaphore {
  protected override readonly kind: string = 'BoundedSemaphore';

  protected override get bound(): number {
    return this.initial;
  }
}

registerShared('Semaphore', ([id, initial]: [string, number]) => new Semaphore(initial, id));
registerShared('BoundedSemaphore', ([id, initial]: [string, number]) => new BoundedSemaphore(initial, id));

export class Event extends SharedObject {
  readonly id: string;

  constructor(id?: string) {
    super();
    this.id = id ?? transport().uuid();
  }

  isSet(): Promise<boolean> {
    return transport().state({ op: 'event.isSet', key: this.id });
  }

  /** Sets the flag and wakes every waiter. */
  async set(): Promise<void> {
    await transport().post({ op: 'event.set', key: this.id });
  }

  async clear(): Promise<void> {
    await transport().post({ op: 'event.clear', key: this.id });
  }

  /** Waits until the flag is set, at most `timeout`; returns the flag. */
  wait(timeout?: Duration): Promise<boolean> {
    return transport().state({ op: 'event.wait', key: this.id, block: true, timeoutMs: toMs(timeout) });
  }

  reduce(): Reduced {
    return { kind: 'Event', state: this.id };
  }
}

registerShared('Event', (id: string) => new Event(id));

/** A condition variable over a lock (an RLock unless given). No notify is lost between releasing the lock and waiting. */
export class Condition extends SharedObject {
  readonly id: string;
  readonly lock: Lock;

  constructor(lock?: Lock, id?: string) {
    super();
    this.lock = lock ?? new RLock();
    this.id = id ?? transport().uuid();
  }

  acquire(block = true, timeout?: Duration): Promise<boolean> {
    return this.lock.acquire(block, timeout);
  }

  release(): Promise<void> {
    return this.lock.release();
  }

  hold(timeout?: Duration): Promise<Held> {
    return this.lock.hold(timeout);
  }

  /** Releases the lock, waits to be notified (at most `timeout`), takes the lock back. True when notified. */
  async wait(timeout?: Duration): Promise<boolean> {
    const runtime = transport();
    const notified = await runtime.state({
      op: 'condition.wait',
      key: this.id,
      lockKey: this.lock.id,
      owner: runtime.ownerId(),
      reentrant: this.lock instanceof RLock,
      leaseMs: runtime.lockLeaseMs,
      block: true,
      timeoutMs: toMs(timeout),
    });
    if (notified === null) throw new RuntimeError('cannot wait on an un-acquired lock');
    return notified;
  }

  /** Waits until `predicate()` is truthy, at most `timeout`; returns its last value. */
  async waitFor<T>(predicate: () => T | Promise<T>, timeout?: Duration): Promise<T> {
    const timeoutMs = toMs(timeout);
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    let result = await predicate();
    while (!result) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) break;
      await this.wait(remaining);
      result = await predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters, oldest first; the caller must hold the lock. */
  async notify(n = 1): Promise<void> {
    const runtime = transport();
    const woken = await runtime.state({ op: 'condition.notify', key: this.id, lockKey: this.lock.id, owner: runtime.ownerId(), n });
    if (woken < 0) throw new RuntimeError('cannot notify on an un-acquired lock');
  }

  notifyAll(): Promise<void> {
    return this.notify(-1);
  }

  reduce(): Reduced {
    return { kind: 'Condition', state: [this.id, this.lock] };
  }
}

registerShared('Condition', ([id, lock]: [string, Lock]) => new Condition(lock, id));

/**
 * A barrier for `parties` processes. `action`, a task, runs once per trip in the process
 * that arrives last, before the others are released; if it throws, the barrier breaks.
 */
export class Barrier extends SharedObject {
  readonly id: string;
  readonly parties: number;
  readonly #action?: string;
  readonly #timeoutMs?: number;

  constructor(parties: number, action?: TaskRef<() => unknown>, timeout?: Duration, id?: string) {
    super();
    if (!Number.isInteger(parties) || parties < 1) throw new ValueError(`parties must be a positive integer, got ${parties}`);
    this.parties = parties;
    this.#action = action?.taskName;
    this.#timeoutMs = toMs(timeout);
    this.id = id ?? transport().uuid();
  }

  /** Waits for all parties; returns this party's arrival index (0 … parties − 1). */
  async wait(timeout?: Duration): Promise<number> {
    const runtime = transport();
    const [index, generation, broken] = await runtime.state({ op: 'barrier.arrive', key: this.id, parties: this.parties });
    if (broken) throw new BrokenBarrierError('the barrier is broken');
    if (index === this.parties - 1) {
      if (this.#action) await this.#runAction();
      if (!(await runtime.state({ op: 'barrier.trip', key: this.id, generation }))) throw new BrokenBarrierError('the barrier broke while its action ran');
      return index;
    }
    const outcome = await runtime.state({ op: 'barrier.await', key: this.id, generation, block: true, timeoutMs: toMs(timeout) ?? this.#timeoutMs });
    if (outcome === 'tripped') return index;
    if (outcome === null) {
      await this.abort();
      throw new BrokenBarrierError(`the barrier timed out after ${timeout ?? this.#timeoutMs} with ${index + 1} of ${this.parties} parties`);
    }
    throw new BrokenBarrierError('the barrier was broken (abort, reset, a timeout or a failed action)');
  }

  /** Breaks the barrier: current and future waiters get BrokenBarrierError until `reset()`. */
  async abort(): Promise<void> {
    await transport().state({ op: 'barrier.abort', key: this.id });
  }

  /** Returns the barrier to its empty state; parties waiting now get BrokenBarrierError. */
  async reset(): Promise<void> {
    await transport().state({ op: 'barrier.reset', key: this.id });
  }

  get nWaiting(): Promise<number> {
    return transport().state({ op: 'barrier.state', key: this.id }).then(([waiting]) => waiting);
  }

  get broken(): Promise<boolean> {
    return transport().state({ op: 'barrier.state', key: this.id }).then(([, broken]) => broken);
  }

  async #runAction(): Promise<void> {
    const call = { id: transport().uuid(), task: this.#action!, items: dumps([[]]), summary: `${this.#action} · barrier action` };
    const outcome = loads<Outcome>(await transport().runTask(call));
    if (!outcome[0]) {
      await this.abort();
      throw new BrokenBarrierError(`the barrier's action ${this.#action} failed: ${outcome[1].message}`, { cause: outcome[1] });
    }
  }

  reduce(): Reduced {
    return { kind: 'Barrier', state: [this.id, this.parties, this.#action, this.#timeoutMs] };
  }
}

registerShared('Barrier', ([id, parties, action, timeoutMs]: [string, number, string | undefined, number | undefined]) =>
  new Barrier(parties, action === undefined ? undefined : { taskName: action }, timeoutMs, id),
);
