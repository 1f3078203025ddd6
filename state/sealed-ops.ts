/**
 * Which parts of a shared-state operation are the user's data, sealed before they reach Redis
 * and opened in what it answers (MPFLOW_ENCRYPTION_KEY). Values are sealed deterministically,
 * so the scripts still find a dict's key or a list's value by its bytes. Shared ctypes
 * (`Value`, `Array`) stay plain: Redis adds to their numbers in place.
 */
import { ValueError } from '../mp-shim/errors.js';
import type { StateOp, StateOpName, StateResult } from '../mp-shim/transport.js';
import type { StoreCore } from './core.js';

type Bytes = Uint8Array;
type Sealing = {
  [K in StateOpName]?: {
    /** The operation with its data sealed by `seal`. */
    in?: (op: StateOp<K>, seal: (bytes: Bytes) => Bytes) => StateOp<K>;
    /** The answer with its data opened by `open`. */
    out?: (result: StateResult<K>, open: (bytes: Bytes) => Bytes) => StateResult<K>;
  };
};

const orNull = (bytes: Bytes | null, open: (bytes: Bytes) => Bytes) => bytes && open(bytes);
const pairs = (entries: [Bytes, Bytes][], code: (bytes: Bytes) => Bytes): [Bytes, Bytes][] => entries.map(([field, value]) => [code(field), code(value)]);

const SEALING: Sealing = {
  'queue.put': { in: (op, seal) => ({ ...op, item: seal(op.item) }) },
  'queue.get': { out: orNull },
  'connection.send': { in: (op, seal) => ({ ...op, message: seal(op.message) }) },
  'connection.recv': { out: orNull },
  'dict.get': { in: (op, seal) => ({ ...op, field: seal(op.field) }), out: orNull },
  'dict.set': { in: (op, seal) => ({ ...op, field: seal(op.field), value: seal(op.value) }) },
  'dict.delete': { in: (op, seal) => ({ ...op, field: seal(op.field) }) },
  'dict.has': { in: (op, seal) => ({ ...op, field: seal(op.field) }) },
  'dict.items': { out: pairs },
  'dict.update': { in: (op, seal) => ({ ...op, entries: pairs(op.entries, seal) }) },
  'dict.pop': { in: (op, seal) => ({ ...op, field: seal(op.field) }), out: orNull },
  'dict.setdefault': { in: (op, seal) => ({ ...op, field: seal(op.field), value: seal(op.value) }), out: (result, open) => open(result) },
  'list.push': { in: (op, seal) => ({ ...op, values: op.values.map(seal) }) },
  'list.insert': { in: (op, seal) => ({ ...op, value: seal(op.value) }) },
  'list.pop': { out: orNull },
  'list.remove': { in: (op, seal) => ({ ...op, value: seal(op.value) }) },
  'list.index': { in: (op, seal) => ({ ...op, value: seal(op.value) }) },
  'list.get': { out: orNull },
  'list.set': { in: (op, seal) => ({ ...op, value: seal(op.value) }) },
  'list.slice': { out: (values, open) => values.map(open) },
  'list.sort': {
    in: () => {
      throw new ValueError('list.sort() cannot sort encrypted values in Redis (MPFLOW_ENCRYPTION_KEY is set): sort a copy, `(await list.slice()).sort()`, and write it back');
    },
  },
  'pool.collect': { out: (entries, open) => (entries === 'terminated' ? entries : entries.map(([index, outcome]) => [index, open(outcome)])) },
  'object.load': { out: orNull },
  'object.store': { in: (op, seal) => ({ ...op, state: seal(op.state) }) },
};

/**
 * Runs `op` through `handler` with its data sealed, and opens the data of its answer. Without
 * a key, nothing is sealed, but an answer that was (written by a process with the key) fails
 * with an error naming the key.
 */
export function sealedOp<K extends StateOpName>(core: StoreCore, op: StateOp<K>, handler: (op: StateOp<K>) => Promise<StateResult<K>>): Promise<StateResult<K>> {
  const sealing = SEALING[op.op] as Sealing[K] | undefined;
  if (!sealing) return handler(op);
  const answer = handler(sealing.in && core.sealing ? sealing.in(op, (bytes) => core.seal(bytes)) : op);
  const { out } = sealing;
  return out ? answer.then((result) => out(result, (bytes) => core.open(bytes))) : answer;
}
