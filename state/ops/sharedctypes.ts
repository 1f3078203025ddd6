/**
 * Shared arrays and values (mp-shim/sharedctypes.ts): packed big-endian bytes, so slices move in
 * one round trip and BITFIELD can add; every write a script that runs at most once per operation.
 */
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer } from '../scripts.js';

/** Bitfield types and sizes of the integer typecodes; 64-bit unsigned ones wrap as i64 and are read back unsigned. */
const INTEGERS: Record<string, [type: string, bytes: number, signed: boolean]> = {
  b: ['i8', 1, true],
  B: ['u8', 1, false],
  h: ['i16', 2, true],
  H: ['u16', 2, false],
  i: ['i32', 4, true],
  I: ['u32', 4, false],
  l: ['i64', 8, true],
  L: ['i64', 8, false],
  q: ['i64', 8, true],
  Q: ['i64', 8, false],
};

export function arrayOps(core: StoreCore): OpHandlers<OpsOf<'array'>> {
  const { redis, ttl } = core;
  return {
    'array.init': async ({ keys, record, once }, { key, length, bytes }) => (await redis.arrayInit(keys.object('array', key), record, length, bytes ? asBuffer(bytes) : '', ttl, ...once)) === 1,
    'array.read': async ({ keys }, { key, start, end }) => {
      if (end <= start) return new Uint8Array(0);
      const bytes = await redis.getrangeBuffer(keys.object('array', key), start, end - 1);
      if (bytes.length === end - start) return bytes;
      const padded = new Uint8Array(end - start);
      padded.set(bytes);
      return padded;
    },
    'array.write': ({ keys, record, once }, { key, offset, bytes }) => redis.arrayWrite(keys.object('array', key), record, offset, asBuffer(bytes), ...once),
    'array.add': async ({ keys, record, once }, { key, offset, typecode, delta }) => {
      const array = keys.object('array', key);
      if (typecode === 'f' || typecode === 'd') return redis.arrayAddFloat(array, record, offset, typecode, delta, ttl, ...once);
      const [type, size, signed] = INTEGERS[typecode];
      // The element's bytes, not a Lua number: a 64-bit value does not fit a double.
      const bytes = await redis.arrayAddIntBuffer(array, record, offset, type, delta, size, ...once);
      const value = bytes.reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
      return String(signed ? BigInt.asIntN(8 * size, value) : value);
    },
  };
}
