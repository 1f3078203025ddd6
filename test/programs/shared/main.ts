/** Main-program entries for the shared-state suite: each exported function is one scenario. */
import {
  ALL_COMPLETED,
  Array as SharedArrayOf,
  Barrier,
  BaseManager,
  BoundedSemaphore,
  Condition,
  Event,
  FIRST_COMPLETED,
  JoinableQueue,
  Lock,
  Manager,
  Pipe,
  Pool,
  Process,
  ProcessPoolExecutor,
  Queue,
  RLock,
  RawValue,
  Semaphore,
  SimpleQueue,
  Value,
  asCompleted,
  proxyTasks,
  wait,
  waitFutures,
} from 'mpflow';
import { Counter } from './counter.js';
import { caught, describeError, range } from '../scenario-helpers.js';
import type * as T from './tasks.js';

BaseManager.register('Counter', Counter);

const t = proxyTasks<typeof T>();


async function runAll(processes: Process[]): Promise<void> {
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
}

// Locks

export async function lockExcludesTasks() {
  const lock = new Lock();
  await lock.acquire();
  await using pool = new Pool(1);
  const whileHeld = await pool.apply(t.tryAcquire, [lock]);
  const timedOut = await pool.apply(t.acquireWithin, [lock, 200]);
  await lock.release();
  const afterRelease = await pool.apply(t.tryAcquire, [lock]);
  return { whileHeld, timedOut, afterRelease };
}

export async function lockedReadModifyWrite(tasks: number, times: number): Promise<number> {
  const lock = new Lock();
  const value = await RawValue('i', 0);
  await runAll(range(tasks).map(() => new Process({ target: t.lockedIncrements, args: [lock, value, times] })));
  return value.get();
}

export async function lockErrors() {
  const lock = new Lock();
  const rlock = new RLock();
  await rlock.acquire();
  await rlock.acquire();
  await using pool = new Pool(1);
  const otherRelease = await pool.apply(t.releaseOthers, [rlock]);
  await rlock.release();
  const stillHeld = !(await pool.apply(t.tryAcquire, [rlock]));
  await rlock.release();
  return {
    unlocked: await caught(() => lock.release()),
    rlockUnlocked: await caught(() => rlock.release()),
    otherRelease,
    stillHeldAfterOneRelease: stillHeld,
    freeAfterTwo: await pool.apply(t.tryAcquire, [rlock]),
  };
}

/** A task takes the lock and its thread is stopped: the lock is free again once the lease lapses. */
export async function deadHolderReleases(): Promise<{ holder: string | undefined; reacquired: boolean; waitedMs: number }> {
  const lock = new Lock();
  await using pool = new Pool(1);
  const holder = await caught(() => pool.apply(t.holdForever, [lock], { timeout: 500 }));
  const start = Date.now();
  const reacquired = await lock.acquire(true, 20_000);
  return { holder, reacquired, waitedMs: Date.now() - start };
}

// Semaphores, events, conditions, barriers

export async function semaphoreBoundsConcurrency(): Promise<number> {
  const semaphore = new Semaphore(2);
  await using pool = new Pool(6);
  const intervals = await pool.starmap(t.holdSemaphore, range(6).map((): [Semaphore, number] => [semaphore, 300]), 1);
  const edges = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (running += step));
  return most;
}

export async function semaphoreValues() {
  const semaphore = new Semaphore(2);
  const bounded = new BoundedSemaphore(1);
  await semaphore.acquire();
  const afterAcquire = await semaphore.getValue();
  const nonBlocking = [await semaphore.acquire(false), await semaphore.acquire(false)];
  await semaphore.release();
  await bounded.acquire();
  await bounded.release();
  return { afterAcquire, nonBlocking, released: await semaphore.getValue(), overRelease: await caught(() => bounded.release()) };
}

export async function eventWakesEveryWaiter() {
  const event = new Event();
  const woke = new Queue<string>();
  const waiters = range(3).map((i) => new Process({ target: t.waitForEvent, args: [event, woke, `p${i}`] }));
  for (const p of waiters) p.start();
  const timedOut = await event.wait(100);
  await event.set();
  for (const p of waiters) await p.join();
  const names = [await woke.get(), await woke.get(), await woke.get()].sort();
  const isSet = await event.isSet();
  await event.clear();
  return { timedOut, names, isSet, afterClear: await event.isSet() };
}

export async function conditionNotifyCounts() {
  const condition = new Condition();
  const ready = new Queue<string>();
  const woke = new Queue<string>();
  const waiters = range(3).map((i) => new Process({ target: t.waitOnCondition, args: [condition, ready, woke, `p${i}`] }));
  for (const p of waiters) p.start();
  for (let i = 0; i < 3; i++) await ready.get();
  {
    await using _held = await condition.hold();
    await condition.notify(2);
  }
  const first = [await woke.get(true, 10_000), await woke.get(true, 10_000)];
  const third = await caught(() => woke.get(true, 500));
  {
    await using _held = await condition.hold();
    await condition.notifyAll();
  }
  const last = await woke.get(true, 10_000);
  for (const p of waiters) await p.join();
  return { wokenByNotify2: first.length, thirdWaited: third, wokeByNotifyAll: last !== undefined };
}

export async function conditionNeedsItsLock() {
  const condition = new Condition();
  const waitResult = await caught(() => condition.wait(10));
  const notifyResult = await caught(() => condition.notify());
  await condition.acquire();
  const timedOut = await condition.wait(100);
  const predicate = await condition.waitFor(() => 'ready', 100);
  await condition.release();
  return { waitResult, notifyResult, timedOut, predicate };
}

export async function barrierSplitBetweenMainAndTasks() {
  const barrier = new Barrier(3, t.quietAction);
  const indexes = new Queue<number | string>();
  const parties = range(2).map(() => new Process({ target: t.arriveAtBarrier, args: [barrier, indexes] }));
  for (const p of parties) p.start();
  const mine = await barrier.wait(20_000);
  for (const p of parties) await p.join();
  return [mine, await indexes.get(), await indexes.get()].sort();
}

export async function barrierBreaks() {
  const lonely = new Barrier(2);
  const timeout = await caught(() => lonely.wait(200));
  const brokenAfterTimeout = await lonely.broken;
  const whileBroken = await caught(() => lonely.wait(200));
  await lonely.reset();
  const afterReset = await lonely.broken;

  const failing = new Barrier(2, t.failingAction);
  const outcomes = new Queue<number | string>();
  const other = new Process({ target: t.arriveAtBarrier, args: [failing, outcomes] });
  other.start();
  const mine = await caught(() => failing.wait(20_000));
  await other.join();
  return { timeout, brokenAfterTimeout, whileBroken, afterReset, actionFailed: [mine?.split(':')[0], await outcomes.get()].sort(), parties: lonely.parties, nWaiting: await lonely.nWaiting };
}

// Pipes

export async function pipePingPong(rounds: number): Promise<number[]> {
  const [mine, theirs] = Pipe();
  const echo = new Process({ target: t.echo, args: [theirs, rounds] });
  echo.start();
  const replies: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await mine.send(i);
    replies.push(await mine.recv<number>());
  }
  await echo.join();
  return replies;
}

export async function pipeEndOfStream() {
  const [reader, writer] = Pipe(false);
  const sender = new Process({ target: t.sendThenClose, args: [writer, ['a', { b: 2 }]] });
  sender.start();
  await sender.join();
  const received = [await reader.recv(), await reader.recv()];
  return { received, third: await caught(() => reader.recv()), again: await caught(() => reader.recv()), readerSends: await caught(() => reader.send(1)), writerReceives: await caught(() => writer.recv()) };
}

export async function pipeBytesPollAndWait() {
  const [a, b] = Pipe();
  const [c, d] = Pipe();
  const before = await a.poll();
  const sender = new Process({ target: t.sendBytesLater, args: [d, 300, new Uint8Array([1, 2, 3])] });
  sender.start();
  const ready = await wait([a, c], 10_000);
  const polled = await c.poll(null);
  const bytes = await c.recvBytes();
  await sender.join();
  await b.sendBytes(new Uint8Array([9, 8, 7, 6]), 1, 2);
  return { before, readyIsC: ready.length === 1 && ready[0] === c, polled, bytes: [...bytes], sliced: [...(await a.recvBytes())] };
}

// Queues

export async function joinableQueueJoins() {
  const queue = new JoinableQueue<number>();
  const done = new Queue<number>();
  for (const i of range(5)) await queue.put(i);
  const consumer = new Process({ target: t.consumeJoinable, args: [queue, 5, done] });
  consumer.start();
  await queue.join();
  const doneWhenJoined = await done.qsize();
  await consumer.join();
  return { doneWhenJoined, tooMany: await caught(() => queue.taskDone()) };
}

export async function simpleQueueRoundTrip() {
  const queue = new SimpleQueue<string>();
  const empty = await queue.empty();
  await queue.put('x');
  return { empty, got: await queue.get(), emptyAfter: await queue.empty() };
}

export async function fifoUnderConcurrentProducers(producers: number, count: number): Promise<boolean> {
  const queue = new Queue<[number, number]>();
  await runAll(range(producers).map((p) => new Process({ target: t.produceTagged, args: [queue, p, count] })));
  const next = new Array(producers).fill(0);
  for (let i = 0; i < producers * count; i++) {
    const [p, n] = await queue.get();
    if (n !== next[p]++) return false;
  }
  return (await queue.qsize()) === 0;
}

// Shared values and arrays

export async function arraySlicesAndElements() {
  const array = await SharedArrayOf('d', [1.5, 2.5, 3.5, 4.5]);
  await using pool = new Pool(2);
  await pool.starmap(t.doubleInPlace, [[array, 0, 2], [array, 2, 4]]);
  const big = await SharedArrayOf('q', [1n, 2n ** 60n]);
  const bytes = await SharedArrayOf('B', 3);
  return {
    doubled: [...(await array.slice())],
    last: await array.get(-1),
    middle: [...(await array.slice(1, 3))],
    outOfRange: await caught(() => array.get(4)),
    bigIncrement: await big.increment(1, 5n),
    bigFirst: await big.get(0),
    wraps: await (async () => { await bytes.set(0, 255); return bytes.increment(0); })(),
    length: array.length,
    badTypecode: await caught(() => SharedArrayOf('x' as 'd', 1)),
    tooLong: await caught(() => array.setSlice(3, [1, 2])),
  };
}

export async function atomicValueIncrements(tasks: number, times: number) {
  const counter = await Value('i', 0);
  const float = await Value('d', 0.5);
  await runAll(range(tasks).map(() => new Process({ target: t.atomicIncrements, args: [counter, times] })));
  await float.increment(0.25);
  return { counter: await counter.get(), float: await float.get(), rawLock: await caught(async () => (await RawValue('i')).getLock()), hasLock: counter.getLock() instanceof RLock };
}

// Managers

export async function managerDict() {
  const manager = await Manager();
  const dict = await manager.dict<string, number>({ a: 1 });
  await dict.set('b', 2);
  await using pool = new Pool(1);
  await pool.apply(t.fillDict, [dict, [['c', 3], ['d', 4]]]);
  return {
    get: await dict.get('a'),
    missing: await dict.get('zz', -1),
    has: [await dict.has('b'), await dict.has('zz')],
    length: await dict.length(),
    popped: await dict.pop('a'),
    popDefault: await dict.pop('zz', 0),
    popMissing: await caught(() => dict.pop('zz')),
    setdefault: [await dict.setdefault('b', 99), await dict.setdefault('e', 5)],
    deleteMissing: await caught(() => dict.delete('zz')),
    items: (await dict.items()).sort(),
  };
}

export async function managerList() {
  const manager = await Manager();
  const list = await manager.list<number>([5, 1, 4]);
  await list.insert(1, 9);
  await list.insert(-1, 7);
  await list.append(3);
  const popped = [await list.pop(), await list.pop(0)];
  await list.remove(9);
  const index = await list.index(4);
  await list.sort();
  const sorted = await list.copy();
  await list.sort({ reverse: true });
  await list.set(0, 42);
  return {
    popped,
    index,
    sorted,
    reversed: await list.copy(),
    slice: await list.slice(1, -1),
    get: await list.get(-1),
    errors: [await caught(() => list.remove(100)), await caught(() => list.index(100)), await caught(() => list.get(10)), await caught(() => list.set(10, 1))],
  };
}

export async function managerListAppendsUnderConcurrency(tasks: number, times: number): Promise<number[]> {
  const list = await (await Manager()).list<number>();
  await runAll(range(tasks).map((worker) => new Process({ target: t.appendMany, args: [list, worker, times] })));
  return (await list.copy()).sort((a, b) => a - b);
}

export async function managerNamespace() {
  const namespace = await (await Manager()).Namespace({ x: 1 });
  await namespace.set('y', 'two');
  return { x: await namespace.get('x'), all: await namespace.toObject(), missing: await caught(() => namespace.get('z')) };
}

export async function registeredClassUnderConcurrency(tasks: number, times: number): Promise<number> {
  const manager = new BaseManager();
  await manager.start();
  const counter = await manager.create<typeof Counter>('Counter', 10);
  await runAll(range(tasks).map(() => new Process({ target: t.incrementCounter, args: [counter, times] })));
  return counter.value();
}

// The futures executor

export async function executorBasics() {
  await using executor = new ProcessPoolExecutor(2);
  const future = executor.submit(t.square, 7);
  const failing = executor.submit(t.failWith, 'bad');
  const mapped: number[] = [];
  for await (const value of executor.map(t.square, [1, 2, 3, 4, 5], { chunksize: 2 })) mapped.push(value);
  const zipped: number[] = [];
  for await (const value of executor.map(t.napThenReturn, [10, 20], ['x', 'y'])) zipped.push(value as never);
  let called = false;
  future.addDoneCallback(() => (called = true));
  return {
    result: await future.result(),
    exception: describeError(await failing.exception()),
    failingResult: await caught(() => failing.result()),
    mapped,
    zipped,
    done: future.done(),
    called,
  };
}

export async function executorOrderingAndCancel() {
  const executor = new ProcessPoolExecutor(1);
  const slow = executor.submit(t.napThenReturn, 600, 'slow');
  const queued = executor.submit(t.napThenReturn, 10, 'queued');
  const cancelledQueued = queued.cancel();
  const cancelledRunning = slow.cancel();
  await slow.result();
  await executor.shutdown();
  await using two = new ProcessPoolExecutor(2);
  const order: unknown[] = [];
  for await (const future of asCompleted([two.submit(t.napThenReturn, 800, 'slow'), two.submit(t.napThenReturn, 10, 'fast')])) order.push(await future.result());
  const first = await waitFutures([two.submit(t.napThenReturn, 2_000, 'late'), two.submit(t.napThenReturn, 10, 'early')], { returnWhen: FIRST_COMPLETED, timeout: 30_000 });
  const all = await waitFutures([...first.done, ...first.notDone], { returnWhen: ALL_COMPLETED });
  return {
    cancelledQueued,
    cancelledRunning,
    queuedState: [queued.cancelled(), queued.done(), await caught(() => queued.result())],
    order,
    firstDone: first.done.size,
    allDone: all.done.size,
    afterShutdown: await caught(async () => executor.submit(t.square, 1)),
  };
}

// Handles travel

export async function handlesTravelEverywhere() {
  const queue = new Queue<Event>();
  const [mine, theirs] = Pipe();
  const event = new Event();
  const lock = new Lock();
  await queue.put(event);
  await mine.send(lock);
  const user = new Process({ target: t.useHandlesFrom, args: [queue, theirs] });
  user.start();
  const acquiredThere = await mine.recv();
  const setThere = await event.wait(10_000);
  await user.join();
  return { acquiredThere, setThere, heldHere: !(await lock.acquire(false)) };
}
