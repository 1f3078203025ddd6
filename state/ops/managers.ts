/**
 * Manager proxies (mp-shim/managers.ts): dicts are hashes and lists are lists, keys and values in
 * the one codec; a registered class's state is one value, loaded and stored under its lock.
 */
import { ReplyError } from 'ioredis';
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

/** No MessagePack value starts with 0xc1, so no encoded list element equals this. */
const DELETED_MARKER = Buffer.from([0xc1, 0x64, 0x65, 0x6c]);

export function managerOps(core: StoreCore): OpHandlers<OpsOf<'dict'> | OpsOf<'list'> | OpsOf<'object'>> {
  const { redis, ttl } = core;
  return {
    'dict.get': ({ keys }, { key, field }) => redis.hgetBuffer(keys.object('dict', key), asBuffer(field)),
    'dict.set': async ({ keys }, { key, field, value }) => {
      const dict = keys.object('dict', key);
      await redis.multi().hset(dict, asBuffer(field), asBuffer(value)).pexpire(dict, ttl).exec();
      return true;
    },
    'dict.delete': async ({ keys }, { key, field }) => (await redis.hdel(keys.object('dict', key), asBuffer(field))) === 1,
    'dict.has': async ({ keys }, { key, field }) => (await redis.hexists(keys.object('dict', key), asBuffer(field))) === 1,
    'dict.items': async ({ keys }, { key }) => {
      const flat = (await redis.callBuffer('HGETALL', keys.object('dict', key))) as Buffer[];
      const entries: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      return entries;
    },
    'dict.length': ({ keys }, { key }) => redis.hlen(keys.object('dict', key)),
    'dict.clear': async ({ keys }, { key }) => (await redis.del(keys.object('dict', key))) >= 0,
    'dict.update': async ({ keys }, { key, entries }) => {
      if (entries.length === 0) return true;
      const dict = keys.object('dict', key);
      await redis.multi().hset(dict, ...entries.flatMap(([field, value]) => [asBuffer(field), asBuffer(value)])).pexpire(dict, ttl).exec();
      return true;
    },
    'dict.pop': ({ keys }, { key, field }) => redis.dictPopBuffer(keys.object('dict', key), asBuffer(field)),
    'dict.setdefault': ({ keys }, { key, field, value }) => redis.dictSetdefaultBuffer(keys.object('dict', key), asBuffer(field), asBuffer(value), ttl),

    'list.push': ({ keys }, { key, values }) => redis.listPush(keys.object('list', key), ttl, ...values.map(asBuffer)),
    'list.insert': ({ keys }, { key, index, value }) => redis.listInsert(keys.object('list', key), index, asBuffer(value), ttl),
    'list.pop': ({ keys }, { key, index }) => redis.listPopBuffer(keys.object('list', key), index, DELETED_MARKER),
    'list.remove': async ({ keys }, { key, value }) => (await redis.lrem(keys.object('list', key), 1, asBuffer(value))) === 1,
    'list.index': async ({ keys }, { key, value }) => (await redis.lpos(keys.object('list', key), asBuffer(value) as unknown as string)) ?? null,
    'list.get': ({ keys }, { key, index }) => redis.lindexBuffer(keys.object('list', key), index),
    'list.set': async ({ keys }, { key, index, value }) => {
      try {
        await redis.lset(keys.object('list', key), index, asBuffer(value));
        return true;
      } catch (error) {
        // Redis answers both an index past the end and a list that does not exist with an error of its own.
        if (error instanceof ReplyError && /index out of range|no such key/i.test((error as Error).message)) return false;
        throw error;
      }
    },
    'list.slice': ({ keys }, { key, start, stop }) => redis.lrangeBuffer(keys.object('list', key), start, stop),
    'list.length': ({ keys }, { key }) => redis.llen(keys.object('list', key)),
    'list.sort': async ({ keys }, { key, reverse }) => (await redis.listSort(keys.object('list', key), reverse ? '1' : '0')) === 1,

    'object.load': ({ keys }, { key }) => redis.getBuffer(keys.object('object', key)),
    'object.store': async ({ keys }, { key, state }) => (await redis.set(keys.object('object', key), asBuffer(state), 'PX', ttl)) === 'OK',
  };
}
