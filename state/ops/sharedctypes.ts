/** Shared arrays and values (mp-shim/sharedctypes.ts): packed big-endian bytes, so slices move in one round trip and BITFIELD can add. */
import type { Redis } from 'ioredis';
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

/** Bitfield types of the integer typecodes; 64-bit unsigned ones wrap as i64 and are read back unsigned. */
const BITFIELD_TYPES: Record<string, string> = { b: 'i8', B: 'u8', h: 'i16', H: 'u16', i: 'i32', I: 'u32', l: 'i64', L: 'i64', q: 'i64', Q: 'i64' };

export function arrayOps(core: StoreCore): OpHandlers<OpsOf<'array'>> {
  const { redis, ttl } = core;
  let exactIntegers: Redis | undefined;
  return {
    'array.init': async ({ keys }, { key, length, bytes }) => {
      const array = keys.object('array', key);
      if (bytes) await redis.set(array, asBuffer(bytes), 'PX', ttl);
      else await redis.multi().set(array, '', 'PX', ttl).setrange(array, Math.max(length - 1, 0), length > 0 ? '\0' : '').exec();
      return true;
    },
    'array.read': async ({ keys }, { key, start, end }) => {
      if (end <= start) return new Uint8Array(0);
      const bytes = await redis.getrangeBuffer(keys.object('array', key), start, end - 1);
      if (bytes.length === end - start) return bytes;
      const padded = new Uint8Array(end - start);
      padded.set(bytes);
      return padded;
    },
    'array.write': ({ keys }, { key, offset, bytes }) => redis.setrange(keys.object('array', key), offset, asBuffer(bytes)),
    'array.add': async ({ keys }, { key, offset, typecode, delta }) => {
      const array = keys.object('array', key);
      if (typecode === 'f' || typecode === 'd') return redis.arrayAddFloat(array, offset, typecode, delta, ttl);
      // Integer replies as text: a 64-bit value does not fit a JavaScript number.
      exactIntegers ??= core.dedicatedConnection({ stringNumbers: true });
      const [value] = (await exactIntegers.bitfield(array, 'OVERFLOW', 'WRAP', 'INCRBY', BITFIELD_TYPES[typecode], offset * 8, delta)) as unknown as string[];
      return String(value);
    },
  };
}
