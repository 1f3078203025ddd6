/** Locks, semaphores, events, conditions and barriers: the main-program side of the scenarios test/synchronize.test.ts runs, one exported function each. */
import { Barrier, BoundedSemaphore, Condition, Event, Lock, Pool, Process, Queue, RLock, RawValue, Semaphore } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { t, runAll } from './refs.js';

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

/**
 * A task keeps its thread busy past its lock's lease while the main program tries to take the
 * lock: the lease is renewed from outside the task's thread, so the task keeps the lock and
 * releases it as usual.
 */
export async function busyHolderKeepsLease(): Promise<{ mainAcquired: boolean; taskRelease: string; freeAfter: boolean }> {
  const lock = new Lock();
  const taken = new Event();
  await using pool = new Pool(1);
  const holding = pool.applyAsync(t.holdWhileBusy, [lock, 4_000, taken]);
  await taken.wait();
  const mainAcquired = await lock.acquire(true, 2_500);
  const taskRelease = await holding.get();
  return { mainAcquired, taskRelease, freeAfter: await lock.acquire(false) };
}

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
