/**
 * Queues (mp-shim/queues.ts): getters block on the items list itself, moving the item they get
 * into their operation's held list so that it is either recorded as that operation's answer or
 * still there for its retry; putters to a full queue are waiters, woken by gets.
 */
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

export function queueOps(core: StoreCore): OpHandlers<OpsOf<'queue'>> {
  const { redis, ttl } = core;
  return {
    'queue.put': async (context, op) => {
      const { keys, record, once } = context;
      const putters = keys.part('queue', op.key, 'putters');
      const item = asBuffer(op.item);
      const joinable = op.joinable ? '1' : '0';
      const added = await core.wait(context, op, putters, async (waiter) =>
        (await redis.queuePut(keys.object('queue', op.key), keys.part('queue', op.key, 'unfinished'), putters, record, item, op.maxsize, ttl, joinable, waiter, ...once)) === 1 ? true : undefined,
      );
      return added ?? false;
    },
    'queue.get': (context, op) => {
      const { keys, record, once, held } = context;
      const items = keys.object('queue', op.key);
      return core.take(context, op, items, (connection) => connection.queueGetBuffer(items, keys.part('queue', op.key, 'putters'), held, record, keys.wakePrefix, ttl, ...once));
    },
    'queue.qsize': ({ keys }, { key }) => redis.llen(keys.object('queue', key)),
    'queue.taskDone': ({ keys, record, once }, { key }) =>
      redis.queueTaskDone(keys.part('queue', key, 'unfinished'), keys.part('queue', key, 'joiners'), record, keys.wakePrefix, ttl, ...once),
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
