/** Queues (mp-shim/queues.ts): getters block on the items list itself; putters to a full queue are waiters, woken by gets. */
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

export function queueOps(core: StoreCore): OpHandlers<OpsOf<'queue'>> {
  const { redis, ttl } = core;
  return {
    'queue.put': async (context, op) => {
      const { keys } = context;
      const putters = keys.part('queue', op.key, 'putters');
      const item = asBuffer(op.item);
      const joinable = op.joinable ? '1' : '0';
      const added = await core.wait(context, op, putters, async (waiter) =>
        (await redis.queuePut(keys.object('queue', op.key), keys.part('queue', op.key, 'unfinished'), putters, item, op.maxsize, ttl, joinable, waiter)) === 1 ? true : undefined,
      );
      return added ?? false;
    },
    'queue.get': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const items = keys.object('queue', key);
      const putters = keys.part('queue', key, 'putters');
      const item = await redis.queueGetBuffer(items, putters, keys.wakePrefix, ttl);
      if (item || !block) return item;
      const popped = await core.blockingPop(items, timeoutMs, hooks);
      if (popped) await redis.wakeWaiters(putters, keys.wakePrefix, 1, ttl);
      return popped;
    },
    'queue.qsize': ({ keys }, { key }) => redis.llen(keys.object('queue', key)),
    'queue.taskDone': ({ keys }, { key }) => redis.queueTaskDone(keys.part('queue', key, 'unfinished'), keys.part('queue', key, 'joiners'), keys.wakePrefix, ttl),
    'queue.join': async (context, op) => {
      const { keys } = context;
      const joiners = keys.part('queue', op.key, 'joiners');
      const joined = await core.wait(context, op, joiners, async (waiter) =>
        (await redis.queueJoin(keys.part('queue', op.key, 'unfinished'), joiners, waiter, ttl)) === 1 ? true : undefined,
      );
      return joined ?? false;
    },
  };
}
