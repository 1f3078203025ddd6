import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ParentLeases, type LeaseNotice } from '../compute/local/thread-leases.js';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { runKeys } from '../state/keys.js';
import { RedisStore } from '../state/store.js';
import { readConfig } from '../workers/config.js';

describe('lock leases that do not lie', () => {
  let store: RedisStore;
  let observer: Redis;
  before(async () => {
    const { redisUrl } = await resolveEndpoints(readConfig(), { temporal: false });
    store = await RedisStore.connect(redisUrl);
    observer = new Redis(redisUrl);
  });
  after(async () => {
    observer.disconnect();
    await store.close();
  });

  it("a lease whose renewal finds the lock gone is reported: the holder's next operation on the lock raises, and nothing is released", async () => {
    const run = `leases-${randomUUID()}`;
    const owner = `${run}/task`;
    assert.equal(await store.execute(run, { op: 'lock.acquire', key: 'l', owner, reentrant: false, leaseMs: 600 }), true);
    await observer.del(runKeys(run).object('lock', 'l')); // as if the lease lapsed and the lock were free
    await sleep(400); // two renewals at a third of the lease
    await assert.rejects(store.execute(run, { op: 'lock.release', key: 'l', owner, reentrant: false }), {
      name: 'ProcessError',
      message: 'the lease of lock l (600 ms) lapsed while it was held: Redis no longer lists this holder as its owner; another process may have taken it since',
    });
    await store.cleanupRun(run);
  });

  it('a thread hands its leases to its parent and hears from it when one is lost', () => {
    const told: LeaseNotice[] = [];
    const leases = new ParentLeases((notice) => told.push(notice));
    leases.keep('lock-key', 'owner', 60_000);
    leases.assertHeld('lock-key', 'owner', 'lock l');
    leases.lost('lock-key', 'owner', 'its renewals failed (Redis is unreachable)');
    assert.throws(() => leases.assertHeld('lock-key', 'owner', 'lock l'), { name: 'ProcessError', message: /lease of lock l \(60000 ms\) lapsed while it was held: its renewals failed/ });
    assert.deepEqual(told, [
      { lease: 'keep', lock: 'lock-key', owner: 'owner', leaseMs: 60_000 },
      { lease: 'forget', lock: 'lock-key' },
    ]);
  });
});
