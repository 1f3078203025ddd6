/**
 * Synchronization primitives (mp-shim/synchronize.ts): locks are owner-aware hashes with an
 * optional lease; semaphores, events, conditions and barriers register waiters and wake them.
 */
import { randomUUID } from 'node:crypto';
import type { StateOp } from '../../mp-shim/transport.js';
import type { OpContext, OpHandlers, OpsOf, StoreCore } from '../core.js';
import type { Leases } from '../leases.js';

type SynchronizeOps = OpsOf<'lock'> | OpsOf<'semaphore'> | OpsOf<'event'> | OpsOf<'condition'> | OpsOf<'barrier'>;

export function synchronizeOps(core: StoreCore, leases: Leases): OpHandlers<SynchronizeOps> {
  const { redis, ttl } = core;

  const acquireLock = async (context: OpContext, op: StateOp<'lock.acquire'>, count = 1): Promise<boolean> => {
    const { keys, record, once } = context;
    const lock = keys.object('lock', op.key);
    const waiters = keys.part('lock', op.key, 'waiters');
    const acquired =
      (await core.wait(context, op, waiters, async (waiter) =>
        (await redis.lockAcquire(lock, waiters, record, op.owner, op.reentrant ? '1' : '0', op.leaseMs, waiter, ttl, count, ...once)) === 1 ? true : undefined,
      )) ?? false;
    if (acquired && op.leaseMs > 0) leases.keep(lock, op.owner, op.leaseMs);
    return acquired;
  };

  return {
    'lock.acquire': async (context, op) => {
      leases.assertHeld(context.keys.object('lock', op.key), op.owner, `lock ${op.key}`);
      return acquireLock(context, op);
    },
    'lock.release': async ({ keys, record, once }, { key, owner, reentrant }) => {
      const lock = keys.object('lock', key);
      leases.assertHeld(lock, owner, `lock ${key}`);
      const released = await redis.lockRelease(lock, keys.part('lock', key, 'waiters'), record, owner, reentrant ? '1' : '0', keys.wakePrefix, ttl, ...once);
      if (released === 2) leases.forget(lock);
      return released;
    },

    'semaphore.acquire': async (context, op) => {
      const { keys, record, once } = context;
      const waiters = keys.part('semaphore', op.key, 'waiters');
      const acquired = await core.wait(context, op, waiters, async (waiter) =>
        (await redis.semaphoreAcquire(keys.object('semaphore', op.key), waiters, record, op.initial, waiter, ttl, ...once)) === 1 ? true : undefined,
      );
      return acquired ?? false;
    },
    'semaphore.release': ({ keys, record, once }, { key, initial, n, bound }) =>
      redis.semaphoreRelease(keys.object('semaphore', key), keys.part('semaphore', key, 'waiters'), record, initial, n, bound, keys.wakePrefix, ttl, ...once),
    'semaphore.value': async ({ keys }, { key, initial }) => Number((await redis.get(keys.object('semaphore', key))) ?? initial),

    'event.set': async ({ keys, record, once }, { key }) => (await redis.eventSet(keys.object('event', key), keys.part('event', key, 'waiters'), record, keys.wakePrefix, ttl, ...once)) === 1,
    'event.clear': async ({ keys, record, once }, { key }) => (await redis.objectClear(keys.object('event', key), record, ...once)) === 1,
    'event.isSet': async ({ keys }, { key }) => (await redis.exists(keys.object('event', key))) === 1,
    'event.wait': async (context, op) => {
      const { keys } = context;
      const waiters = keys.part('event', op.key, 'waiters');
      const set = await core.wait(context, op, waiters, async (waiter) =>
        (await redis.eventWait(keys.object('event', op.key), waiters, waiter, ttl)) === 1 ? true : undefined,
      );
      return set ?? false;
    },

    /**
     * Condition.wait: release the lock and register in one step, wait to be notified, take the
     * lock back. The waiter is named after the operation, so a repeat of it waits for the same
     * wake-up (a notify that came meanwhile is not lost); the wake-up is moved into the
     * operation's held list, so a repeat after it was received finds it there; and the lock is
     * re-taken as one operation.
     */
    'condition.wait': async (context, op) => {
      const { keys, hooks, identity, record, once, held } = context;
      const waiter = identity ? `condition:${identity}` : randomUUID();
      const waiters = keys.part('condition', op.key, 'waiters');
      const lock = keys.object('lock', op.lockKey);
      leases.assertHeld(lock, op.owner, `the lock of condition ${op.key}`);
      const count = await redis.conditionWait(lock, keys.part('lock', op.lockKey, 'waiters'), waiters, record, op.owner, waiter, keys.wakePrefix, ttl, ...once);
      if (count < 0) return null;
      let notified = (await redis.llen(held)) > 0;
      if (!notified) {
        notified = (await core.blocking(hooks, op.timeoutMs, (connection, seconds) => connection.blmove(keys.wake(waiter), held, 'LEFT', 'RIGHT', seconds))) !== null;
        // Kept as long as the run's keys: a repeat of this wait, even after it took the lock back, knows it was notified.
        if (notified) await redis.pexpire(held, ttl);
        else await redis.lrem(waiters, 0, waiter);
      }
      const retake: OpContext = { ...context, once: [`${once[0]}:lock`, once[1]] };
      await acquireLock(retake, { op: 'lock.acquire', key: op.lockKey, owner: op.owner, reentrant: op.reentrant, leaseMs: op.leaseMs, block: true }, count);
      return notified;
    },
    'condition.notify': async ({ keys, record, once }, { key, lockKey, owner, n }) => {
      leases.assertHeld(keys.object('lock', lockKey), owner, `the lock of condition ${key}`);
      return redis.conditionNotify(keys.object('lock', lockKey), keys.part('condition', key, 'waiters'), record, owner, n, keys.wakePrefix, ttl, ...once);
    },

    'barrier.arrive': async ({ keys, record, once }, { key }) => {
      const [index, generation, broken] = await redis.barrierArrive(keys.object('barrier', key), record, ttl, ...once);
      return [index, generation, broken === 1];
    },
    'barrier.trip': async ({ keys, record, once }, { key, generation }) =>
      (await redis.barrierTrip(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), record, generation, keys.wakePrefix, ttl, ...once)) === 1,
    'barrier.await': async (context, op) => {
      const { keys } = context;
      const waiters = keys.part('barrier', op.key, 'waiters');
      const outcome = await core.wait(context, op, waiters, async (waiter) =>
        ((await redis.barrierAwait(keys.object('barrier', op.key), waiters, op.generation, waiter, ttl)) ?? undefined) as 'tripped' | 'broken' | undefined,
      );
      return outcome ?? null;
    },
    'barrier.abort': async ({ keys, record, once }, { key }) =>
      (await redis.barrierBreak(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), record, 'abort', keys.wakePrefix, ttl, ...once)) === 1,
    'barrier.reset': async ({ keys, record, once }, { key }) =>
      (await redis.barrierBreak(keys.object('barrier', key), keys.part('barrier', key, 'waiters'), record, 'reset', keys.wakePrefix, ttl, ...once)) === 1,
    'barrier.state': async ({ keys }, { key }) => {
      const [count, broken] = await redis.hmget(keys.object('barrier', key), 'count', 'broken');
      return [Number(count ?? 0), broken === '1'];
    },
  };
}
