/** The main program's side of a queue-dispatch pool (mp-shim/pool/queue-dispatch.ts): submit, collect, stop. */
import { dumps } from '../../mp-shim/serialization.js';
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

export function poolOps(core: StoreCore): OpHandlers<OpsOf<'pool'>> {
  const { redis, ttl } = core;
  return {
    'pool.submit': ({ keys }, { key, job, calls, stragglerFactor, stragglerMinMs }) =>
      redis.poolSubmit(keys.pool(key).pool, keys.wakePrefix, ttl, job, stragglerFactor, stragglerMinMs, ...calls.map((call) => asBuffer(core.seal(dumps(call))))),
    'pool.collect': async (context, op) => {
      const pool = context.keys.pool(op.key);
      const entries = await core.wait(
        context,
        op,
        pool.collectors(op.job),
        async (waiter) => {
          const flat = await redis.poolCollectBuffer(pool.pool, op.job, op.cursor, op.need, waiter, ttl);
          if (flat[0] === -1) return 'terminated' as const;
          if (flat.length === 0) return undefined;
          const pairs: [number, Uint8Array][] = [];
          for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as Buffer]);
          return pairs;
        },
        'zset',
      );
      return entries ?? [];
    },
    'pool.stop': async ({ keys, record, once }, { key, how }) => (await redis.poolStop(keys.pool(key).pool, record, how, keys.wakePrefix, ttl, ...once)) === 1,
  };
}
