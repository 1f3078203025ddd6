/**
 * Shared values and arrays (CPython: multiprocessing/sharedctypes.py): packed big-endian
 * bytes in one Redis string, so `slice` and `setSlice` move a whole range in one round
 * trip, `get(i)` is one small read, and `increment` adds on the server, atomically.
 * The 8-byte integer typecodes (l L q Q) hold bigint values.
 */
import { IndexError, ValueError } from './errors.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { RLock, type Lock } from './synchronize.js';
import { transport } from './transport.js';

type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';
type Element<C extends Typecode> = C extends 'l' | 'L' | 'q' | 'Q' ? bigint : number;

interface TypedArrays {
  b: Int8Array; B: Uint8Array; h: Int16Array; H: Uint16Array; i: Int32Array; I: Uint32Array;
  l: BigInt64Array; L: BigUint64Array; q: BigInt64Array; Q: BigUint64Array; f: Float32Array; d: Float64Array;
}

interface Layout {
  size: number;
  read(view: DataView, offset: number): number | bigint;
  write(view: DataView, offset: number, value: number | bigint): void;
  /** A typed array of `length` elements in this process's byte order. */
  allocate(length: number): ArrayLike<number | bigint> & { [i: number]: number | bigint };
}

const layout = (size: number, get: string, set: string, TypedArray: new (length: number) => never): Layout => ({
  size,
  read: (view, offset) => (view as unknown as Record<string, (o: number, le: boolean) => number | bigint>)[get](offset, false),
  write: (view, offset, value) => (view as unknown as Record<string, (o: number, v: number | bigint, le: boolean) => void>)[set](offset, value, false),
  allocate: (length) => new TypedArray(length),
});

const LAYOUTS: Record<Typecode, Layout> = {
  b: layout(1, 'getInt8', 'setInt8', Int8Array as never),
  B: layout(1, 'getUint8', 'setUint8', Uint8Array as never),
  h: layout(2, 'getInt16', 'setInt16', Int16Array as never),
  H: layout(2, 'getUint16', 'setUint16', Uint16Array as never),
  i: layout(4, 'getInt32', 'setInt32', Int32Array as never),
  I: layout(4, 'getUint32', 'setUint32', Uint32Array as never),
  l: layout(8, 'getBigInt64', 'setBigInt64', BigInt64Array as never),
  L: layout(8, 'getBigUint64', 'setBigUint64', BigUint64Array as never),
  q: layout(8, 'getBigInt64', 'setBigInt64', BigInt64Array as never),
  Q: layout(8, 'getBigUint64', 'setBigUint64', BigUint64Array as never),
  f: layout(4, 'getFloat32', 'setFloat32', Float32Array as never),
  d: layout(8, 'getFloat64', 'setFloat64', Float64Array as never),
};

function layoutOf(typecode: string): Layout {
  const found = LAYOUTS[typecode as Typecode];
  if (!found) throw new ValueError(`typecode must be one of ${Object.keys(LAYOUTS).join(' ')}, got '${typecode}'`);
  return found;
}

function encode(layoutFor: Layout, values: ArrayLike<number | bigint>): Uint8Array {
  const bytes = new Uint8Array(values.length * layoutFor.size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) layoutFor.write(view, i * layoutFor.size, values[i]);
  return bytes;
}

export class SharedArray<C extends Typecode = Typecode> extends SharedObject {
  readonly #layout: Layout;

  constructor(
    readonly typecode: C,
    readonly length: number,
    readonly id: string,
    readonly lock: Lock | null,
  ) {
    super();
    this.#layout = layoutOf(typecode);
  }

  async get(index: number): Promise<Element<C>> {
    const i = this.#index(index);
    const bytes = await transport().state({ op: 'array.read', key: this.id, start: i * this.#layout.size, end: (i + 1) * this.#layout.size });
    return this.#layout.read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0) as Element<C>;
  }

  async set(index: number, value: Element<C>): Promise<void> {
    const i = this.#index(index);
    await transport().post({ op: 'array.write', key: this.id, offset: i * this.#layout.size, bytes: encode(this.#layout, [value]) });
  }

  /** Elements `start` … `end − 1` in one round trip, as a typed array (Python's `a[start:end]`). */
  async slice(start = 0, end = this.length): Promise<TypedArrays[C]> {
    [start, end] = this.#range(start, end);
    const size = this.#layout.size;
    const bytes = await transport().state({ op: 'array.read', key: this.id, start: start * size, end: end * size });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = this.#layout.allocate(end - start);
    for (let i = 0; i < values.length; i++) values[i] = this.#layout.read(view, i * size);
    return values as unknown as TypedArrays[C];
  }

  /** Writes `values` from index `start` in one round trip (Python's `a[start:start + len(values)] = values`). */
  async setSlice(start: number, values: ArrayLike<Element<C>>): Promise<void> {
    const [from, to] = this.#range(start, start + values.length);
    if (to - from !== values.length) throw new IndexError(`${values.length} values from index ${start} do not fit an array of length ${this.length}`);
    await transport().post({ op: 'array.write', key: this.id, offset: from * this.#layout.size, bytes: encode(this.#layout, values) });
  }

  /** Adds `delta` to element `index` on the server, atomically; returns the new value. */
  async increment(index: number, delta: Element<C> | 1 = 1): Promise<Element<C>> {
    const i = this.#index(index);
    const text = await transport().state({ op: 'array.add', key: this.id, offset: i * this.#layout.size, typecode: this.typecode, delta: String(delta) });
    return this.#parse(text);
  }

  /** The lock that guards compound updates (`getLock()` in Python); a Raw array has none. */
  getLock(): Lock {
    if (!this.lock) throw new ValueError('a RawArray or RawValue has no lock');
    return this.lock;
  }

  #parse(text: string): Element<C> {
    if (this.typecode === 'f' || this.typecode === 'd') return Number(text) as Element<C>;
    const value = BigInt(text);
    const unsigned64 = this.typecode === 'L' || this.typecode === 'Q';
    if (this.#layout.size === 8) return (unsigned64 ? BigInt.asUintN(64, value) : value) as Element<C>;
    return Number(value) as Element<C>;
  }

  #index(index: number): number {
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) throw new IndexError(`index ${index} is out of range for an array of length ${this.length}`);
    return index < 0 ? this.length + index : index;
  }

  #range(start: number, end: number): [number, number] {
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? this.length + i : i, 0), this.length);
    const from = clamp(start);
    return [from, Math.max(clamp(end), from)];
  }

  reduce(): Reduced {
    return { kind: 'Array', state: [this.typecode, this.length, this.id, this.lock] };
  }
}

registerShared('Array', ([typecode, length, id, lock]: [Typecode, number, string, Lock | null]) => new SharedArray(typecode, length, id, lock));

/** A single shared number: an array of one. */
export class SharedValue<C extends Typecode = Typecode> extends SharedObject {
  constructor(readonly array: SharedArray<C>) {
    super();
  }

  get typecode(): C {
    return this.array.typecode;
  }

  get(): Promise<Element<C>> {
    return this.array.get(0);
  }

  set(value: Element<C>): Promise<void> {
    return this.array.set(0, value);
  }

  /** `v.value += delta`, atomically on the server (`v.set(await v.get() + 1)` is not atomic). */
  increment(delta?: Element<C> | 1): Promise<Element<C>> {
    return this.array.increment(0, delta);
  }

  getLock(): Lock {
    return this.array.getLock();
  }

  reduce(): Reduced {
    return { kind: 'Value', state: this.array };
  }
}

registerShared('Value', (array: SharedArray) => new SharedValue(array));

export interface SharedOptions {
  /** A lock for compound updates (default: a new RLock); false for none. */
  lock?: Lock | boolean;
}

/** A shared array of `sizeOrInit` zeros, or of the given values. */
export async function Array<C extends Typecode>(typecode: C, sizeOrInit: number | ArrayLike<Element<C>>, { lock = true }: SharedOptions = {}): Promise<SharedArray<C>> {
  const layoutFor = layoutOf(typecode);
  const length = typeof sizeOrInit === 'number' ? sizeOrInit : sizeOrInit.length;
  if (!Number.isInteger(length) || length < 0) throw new ValueError(`size must be a non-negative integer, got ${sizeOrInit}`);
  const runtime = transport();
  const array = new SharedArray(typecode, length, runtime.uuid(), lock === true ? new RLock() : lock || null);
  const bytes = typeof sizeOrInit === 'number' ? undefined : encode(layoutFor, sizeOrInit);
  await runtime.state({ op: 'array.init', key: array.id, length: length * layoutFor.size, bytes });
  return array;
}

/** A shared number, `value` to begin with. */
export async function Value<C extends Typecode>(typecode: C, value?: Element<C>, options: SharedOptions = {}): Promise<SharedValue<C>> {
  const initial = value ?? ((layoutOf(typecode).size === 8 && typecode !== 'd' ? 0n : 0) as Element<C>);
  return new SharedValue(await Array(typecode, [initial] as ArrayLike<Element<C>>, options));
}

export function RawArray<C extends Typecode>(typecode: C, sizeOrInit: number | ArrayLike<Element<C>>): Promise<SharedArray<C>> {
  return Array(typecode, sizeOrInit, { lock: false });
}

export function RawValue<C extends Typecode>(typecode: C, value?: Element<C>): Promise<SharedValue<C>> {
  return Value(typecode, value, { lock: false });
}
