/**
 * Manager proxies (mp-shim/managers.ts): dicts are hashes and lists are lists, keys and values in
 * the one codec; a registered class's state is one value, loaded and stored under its lock.
 * Every change is a script that runs at most once per operation.
 */
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

/** No MessagePack value starts with 0xc1, so no encoded list element equals this. */
const DELETED_MARKER = Buffer.from([0xc1, 0x64, 0x65, 0x6c]);

export function managerOps(core: StoreCore): OpHandlers<OpsOf<'dict'> | OpsOf<'list'> | OpsOf<'object'>> {
  const { redis, ttl } = core;
  return {
    'dict.get': ({ keys }, { key, field }) => redis.hgetBuffer(keys.object('dict', key), asBuffer(field)),
    'dict.set': async ({ keys, record, once }, { key, field, value }) => (await redis.dictSet(keys.object('dict', key), record, ttl, asBuffer(field), asBuffer(value), ...once)) === 1,
    'dict.delete': async ({ keys, record, once }, { key, field }) => (await redis.dictDelete(keys.object('dict', key), record, asBuffer(field), ...once)) === 1,
    'dict.has': async ({ keys }, { key, field }) => (await redis.hexists(keys.object('dict', key), asBuffer(field))) === 1,
    'dict.items': async ({ keys }, { key }) => {
      const flat = (await redis.callBuffer('HGETALL', keys.object('dict', key))) as Buffer[];
      const entries: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      return entries;
    },
    'dict.length': ({ keys }, { key }) => redis.hlen(keys.object('dict', key)),
    'dict.clear': async ({ keys, record, once }, { key }) => (await redis.objectClear(keys.object('dict', key), record, ...once)) === 1,
    'dict.update': async ({ keys, record, once }, { key, entries }) => {
      if (entries.length === 0) return true;
      return (await redis.dictSet(keys.object('dict', key), record, ttl, ...entries.flatMap(([field, value]) => [asBuffer(field), asBuffer(value)]), ...once)) === 1;
    },
    'dict.pop': ({ keys, record, once }, { key, field }) => redis.dictPopBuffer(keys.object('dict', key), record, asBuffer(field), ...once),
    'dict.setdefault': ({ keys, record, once }, { key, field, value }) => redis.dictSetdefaultBuffer(keys.object('dict', key), record, asBuffer(field), asBuffer(value), ttl, ...once),

    'list.push': ({ keys, record, once }, { key, values }) => redis.listPush(keys.object('list', key), record, ttl, ...values.map(asBuffer), ...once),
    'list.insert': ({ keys, record, once }, { key, index, value }) => redis.listInsert(keys.object('list', key), record, index, asBuffer(value), ttl, ...once),
    'list.pop': ({ keys, record, once }, { key, index }) => redis.listPopBuffer(keys.object('list', key), record, index, DELETED_MARKER, ...once),
    'list.remove': async ({ keys, record, once }, { key, value }) => (await redis.listRemove(keys.object('list', key), record, asBuffer(value), ...once)) === 1,
    'list.index': async ({ keys }, { key, value }) => (await redis.lpos(keys.object('list', key), asBuffer(value) as unknown as string)) ?? null,
    'list.get': ({ keys }, { key, index }) => redis.lindexBuffer(keys.object('list', key), index),
    'list.set': async ({ keys, record, once }, { key, index, value }) => (await redis.listSet(keys.object('list', key), record, index, asBuffer(value), ...once)) === 1,
    'list.slice': ({ keys }, { key, start, stop }) => redis.lrangeBuffer(keys.object('list', key), start, stop),
    'list.length': ({ keys }, { key }) => redis.llen(keys.object('list', key)),
    'list.sort': async ({ keys, record, once }, { key, reverse }) => (await redis.listSort(keys.object('list', key), record, reverse ? '1' : '0', ...once)) === 1,

    'object.load': ({ keys }, { key }) => redis.getBuffer(keys.object('object', key)),
    'object.store': async ({ keys, record, once }, { key, state }) => (await redis.objectStore(keys.object('object', key), record, asBuffer(state), ttl, ...once)) === 1,
  };
}
