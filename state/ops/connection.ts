/** Connections (mp-shim/connection.ts): one list per direction; the reader of a list is its only consumer. */
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

export function connectionOps(core: StoreCore): OpHandlers<OpsOf<'connection'>> {
  const { redis, ttl } = core;
  return {
    'connection.send': ({ keys }, { key, message }) => redis.listPush(keys.object('connection', key), ttl, asBuffer(message)),
    'connection.recv': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const list = keys.object('connection', key);
      const message = await redis.lpopBuffer(list);
      if (message || !block) return message;
      return core.blockingPop(list, timeoutMs, hooks);
    },
    'connection.poll': async ({ keys, hooks }, { key, block, timeoutMs }) => {
      const list = keys.object('connection', key);
      const readable = (await redis.llen(list)) > 0;
      if (readable || !block) return readable;
      return core.blocking(hooks, timeoutMs, (connection, seconds) => connection.blmove(list, list, 'LEFT', 'LEFT', seconds)).then((moved) => moved !== null);
    },
    'connection.waitAny': async ({ keys, hooks }, { keys: ids, block, timeoutMs }) => {
      const lists = ids.map((id) => keys.object('connection', id));
      const lengths = await Promise.all(lists.map((list) => redis.llen(list)));
      const ready = ids.filter((_, i) => lengths[i] > 0);
      if (ready.length > 0 || !block) return ready;
      const popped = await core.blocking(hooks, timeoutMs, (connection, seconds) => connection.blpopBuffer(...lists, seconds));
      if (!popped) return [];
      // Put the message back where it was: waiting must not consume it.
      await redis.lpush(popped[0].toString(), popped[1]);
      return [ids[lists.indexOf(popped[0].toString())]];
    },
  };
}
