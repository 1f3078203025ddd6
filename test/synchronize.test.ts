import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

// Short leases, so the test of a dead holder waits seconds rather than a minute.
process.env.MPFLOW_LOCK_LEASE_MS = '1500';

onEveryEngine('synchronization', 'test/programs/shared', (h) => {
  it('a Lock held by the main program excludes a task until released; a timed acquire gives up', async () => {
    assert.deepEqual(await h().run('lockExcludesTasks'), { whileHeld: false, timedOut: false, afterRelease: true });
  });

  it('a Lock makes read-modify-write updates from concurrent processes exact', async () => {
    assert.equal(await h().run('lockedReadModifyWrite', 4, 25), 100);
  });

  it('releasing an unlocked lock is a ValueError; an RLock is re-entrant and only its owner releases it', async () => {
    assert.deepEqual(await h().run('lockErrors'), {
      unlocked: 'ValueError: release of an unlocked Lock',
      rlockUnlocked: 'ValueError: release of an unlocked RLock',
      otherRelease: 'RuntimeError: cannot release an RLock held by another process',
      stillHeldAfterOneRelease: true,
      freeAfterTwo: true,
    });
  });

  it('a lock whose holding task died is free again once its lease lapses', async () => {
    const { holder, reacquired, waitedMs } = await h().run<{ holder: string; reacquired: boolean; waitedMs: number }>('deadHolderReleases');
    assert.match(holder, /^TimeoutError/);
    assert.equal(reacquired, true);
    assert.ok(waitedMs < 15_000, `waited ${waitedMs} ms for a 1.5 s lease`);
  });

  it('a task that keeps its thread busy past its lease keeps its lock: the lease is renewed from outside the thread', async () => {
    assert.deepEqual(await h().run('busyHolderKeepsLease'), { mainAcquired: false, taskRelease: 'released', freeAfter: true });
  });

  it('a Semaphore(2) lets two processes in at a time', async () => {
    assert.equal(await h().run('semaphoreBoundsConcurrency'), 2);
  });

  it('Semaphore values, non-blocking acquire, and BoundedSemaphore over-release', async () => {
    assert.deepEqual(await h().run('semaphoreValues'), { afterAcquire: 1, nonBlocking: [true, false], released: 1, overRelease: 'ValueError: semaphore or lock released too many times' });
  });

  it('Event.set wakes every waiter; wait(timeout) returns the flag', async () => {
    assert.deepEqual(await h().run('eventWakesEveryWaiter'), { timedOut: false, names: ['p0', 'p1', 'p2'], isSet: true, afterClear: false });
  });

  it('Condition.notify(2) wakes two of three waiters, notifyAll the last', async () => {
    assert.deepEqual(await h().run('conditionNotifyCounts'), { wokenByNotify2: 2, thirdWaited: 'Empty: the queue stayed empty for 500', wokeByNotifyAll: true });
  });

  it('Condition.wait and notify need the lock; wait(timeout) and waitFor return when the time is up', async () => {
    assert.deepEqual(await h().run('conditionNeedsItsLock'), {
      waitResult: 'RuntimeError: cannot wait on an un-acquired lock',
      notifyResult: 'RuntimeError: cannot notify on an un-acquired lock',
      timedOut: false,
      predicate: 'ready',
    });
  });

  it('a Barrier with parties split between the main program and tasks trips, giving each an index', async () => {
    assert.deepEqual(await h().run('barrierSplitBetweenMainAndTasks'), [0, 1, 2]);
  });

  it('a Barrier breaks on timeout and on a failing action, and reset mends it', async () => {
    assert.deepEqual(await h().run('barrierBreaks'), {
      timeout: 'BrokenBarrierError: the barrier timed out after 200 with 1 of 2 parties',
      brokenAfterTimeout: true,
      whileBroken: 'BrokenBarrierError: the barrier is broken',
      afterReset: false,
      actionFailed: ['BrokenBarrierError', 'BrokenBarrierError'],
      parties: 2,
      nWaiting: 0,
    });
  });
});
