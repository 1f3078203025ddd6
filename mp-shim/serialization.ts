/**
 * The one codec for everything that leaves a process: task arguments and results,
 * workflow inputs and outputs, and every value stored in Redis. MessagePack with
 * structured-clone semantics (Map, Set, Date, BigInt, typed arrays, cycles) and
 * errors that keep their class, stack, cause and own fields.
 */
import { Packr, addExtension } from 'msgpackr';
import { RemoteError, rebuildableErrors } from './errors.js';
import { SharedObject, rebuild, type Reduced } from './reduction.js';

const ERROR_EXTENSION_TYPE = 0x45;
const SHARED_EXTENSION_TYPE = 0x53;
// Types msgpackr keeps for itself: 0x42 0x62 0x65 0x69 0x70 0x73 0x74 0x78 0xff.
const BYTES_EXTENSION_TYPE = 0x55;

// Byte arrays come back as Uint8Array (never Node's Buffer), made in the realm that decodes
// them: the workflow sandbox's own, so they can be encoded again there.
addExtension({
  Class: Uint8Array,
  type: BYTES_EXTENSION_TYPE,
  pack: (bytes: Uint8Array) => bytes,
  unpack: (bytes: Uint8Array) => new Uint8Array(bytes),
});


addExtension({
  Class: SharedObject,
  type: SHARED_EXTENSION_TYPE,
  write: (shared: SharedObject): Reduced => shared.reduce(),
  read: (reduced: Reduced) => rebuild(reduced),
});

interface EncodedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  fields: Record<string, unknown>;
}

addExtension({
  Class: Error,
  type: ERROR_EXTENSION_TYPE,
  write(error: Error): EncodedError {
    const { name, message, stack, cause, ...fields } = error as Error & Record<string, unknown>;
    return { name: error.name ?? name, message, stack, cause, fields };
  },
  read({ name, message, stack, cause, fields }: EncodedError): Error {
    const ErrorClass = rebuildableErrors.get(name);
    const error = ErrorClass ? new ErrorClass(message) : new RemoteError(message, name);
    Object.assign(error, fields);
    if (!ErrorClass) error.name = name;
    if (stack !== undefined) error.stack = stack;
    if (cause !== undefined) error.cause = cause;
    return error;
  },
});

// Plain objects travel as self-describing records, so MessagePack's map type is left to Map.
const packr = new Packr({
  structuredClone: true,
  useRecords: true,
  mapsAsObjects: false,
  moreTypes: true,
  useBigIntExtension: true,
});

interface Codec {
  dumps(value: unknown, label?: string): Uint8Array;
  loads(bytes: Uint8Array): unknown;
}

// Temporal loads the payload converter with require(), which gives a process a second copy of
// this module; every copy defers to the first, so classes and shared-object kinds are one set.
const CODEC = Symbol.for('mpflow.codec');
const codec: Codec = ((globalThis as { [CODEC]?: Codec })[CODEC] ??= {
  dumps(value, label = 'value') {
    assertSerializable(value, label, new Set());
    return packr.pack(value);
  },
  loads: (bytes) => packr.unpack(bytes),
});

/** Serializes `value`; throws a TypeError naming the path (from `label`) of the first value the codec cannot carry. */
export function dumps(value: unknown, label = 'value'): Uint8Array {
  return codec.dumps(value, label);
}

export function loads<T = unknown>(bytes: Uint8Array): T {
  return codec.loads(bytes) as T;
}

function assertSerializable(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new TypeError(`cannot serialize ${path}: a ${typeof value} cannot be sent to another process`);
    case 'object':
      break;
    default:
      return;
  }
  if (value === null || seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  if (value instanceof SharedObject) return;
  if (value instanceof Date || value instanceof RegExp) return;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) {
    throw new TypeError(`cannot serialize ${path}: a ${value.constructor.name} cannot be sent to another process`);
  }
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      assertSerializable(k, `${path} key`, seen);
      assertSerializable(v, `${path}.get(${String(k)})`, seen);
    }
  } else if (value instanceof Set) {
    for (const v of value) assertSerializable(v, `${path} member`, seen);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertSerializable(value[i], `${path}[${i}]`, seen);
  } else {
    for (const key of Object.keys(value)) {
      assertSerializable((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
    }
  }
}
