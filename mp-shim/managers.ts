/**
 * Managers (CPython: multiprocessing/managers.py). There is no manager process: every
 * object lives in Redis for the run, and each proxy method is one atomic operation there
 * (list insert, remove, index and sort included), so concurrent updates are never lost.
 * `BaseManager.register` adds classes of your own: their state is kept in Redis and each
 * method call runs under the object's lock.
 */
import { asyncDispose } from './dispose.js';
import type { Duration } from './duration.js';
import { IndexError, KeyError, ValueError } from './errors.js';
import { JoinableQueue, Queue } from './queues.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { dumps, loads } from './serialization.js';
import { Array, Value } from './sharedctypes.js';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from './synchronize.js';
import type { TaskRef } from './tasks.js';
import { transport } from './transport.js';

const MISSING = Symbol('missing');

export class DictProxy<K = unknown, V = unknown> extends SharedObject {
  constructor(readonly id: string) {
    super();
  }

  async get(key: K): Promise<V | undefined>;
  async get<D>(key: K, fallback: D): Promise<V | D>;
  async get(key: K, fallback?: unknown): Promise<unknown> {
    const value = await transport().state({ op: 'dict.get', key: this.id, field: dumps(key, 'the key') });
    return value === null ? fallback : loads(value);
  }

  async set(key: K, value: V): Promise<void> {
    await transport().post({ op: 'dict.set', key: this.id, field: dumps(key, 'the key'), value: dumps(value, 'the value') });
  }

  /** `del d[key]`: KeyError when absent. */
  async delete(key: K): Promise<void> {
    if (!(await transport().state({ op: 'dict.delete', key: this.id, field: dumps(key, 'the key') }))) throw new KeyError(String(key));
  }

  has(key: K): Promise<boolean> {
    return transport().state({ op: 'dict.has', key: this.id, field: dumps(key, 'the key') });
  }

  async items(): Promise<[K, V][]> {
    const entries = await transport().state({ op: 'dict.items', key: this.id });
    return entries.map(([field, value]) => [loads<K>(field), loads<V>(value)]);
  }

  async keys(): Promise<K[]> {
    return (await this.items()).map(([key]) => key);
  }

  async values(): Promise<V[]> {
    return (await this.items()).map(([, value]) => value);
  }

  /** A local copy of the whole dict. */
  async copy(): Promise<Map<K, V>> {
    return new Map(await this.items());
  }

  length(): Promise<number> {
    return transport().state({ op: 'dict.length', key: this.id });
  }

  async clear(): Promise<void> {
    await transport().post({ op: 'dict.clear', key: this.id });
  }

  /** Sets every entry of `entries` (a Map, an object, or key-value pairs) in one step. */
  async update(entries: Map<K, V> | Iterable<[K, V]> | Record<string, V>): Promise<void> {
    const pairs = entries instanceof Map || Symbol.iterator in entries ? [...(entries as Iterable<[K, V]>)] : Object.entries(entries);
    await transport().post({ op: 'dict.update', key: this.id, entries: pairs.map(([key, value]) => [dumps(key, 'a key'), dumps(value, 'a value')]) });
  }

  /** Removes `key` and returns its value; `fallback` when absent, else KeyError. */
  async pop<D = never>(key: K, fallback: D | typeof MISSING = MISSING): Promise<V | D> {
    const value = await transport().state({ op: 'dict.pop', key: this.id, field: dumps(key, 'the key') });
    if (value !== null) return loads<V>(value);
    if (fallback === MISSING) throw new KeyError(String(key));
    return fallback;
  }

  /** The value of `key`, set to `fallback` first when absent, in one step. */
  async setdefault(key: K, fallback: V): Promise<V> {
    return loads<V>(await transport().state({ op: 'dict.setdefault', key: this.id, field: dumps(key, 'the key'), value: dumps(fallback, 'the default') }));
  }

  reduce(): Reduced {
    return { kind: 'DictProxy', state: this.id };
  }
}

export class ListProxy<T = unknown> extends SharedObject {
  constructor(readonly id: string) {
    super();
  }

  async append(value: T): Promise<void> {
    await transport().post({ op: 'list.push', key: this.id, values: [dumps(value, 'the value')] });
  }

  async extend(values: Iterable<T>): Promise<void> {
    const encoded = [...values].map((value) => dumps(value, 'a value'));
    if (encoded.length > 0) await transport().post({ op: 'list.push', key: this.id, values: encoded });
  }

  /** Inserts before `index`, as Python's list.insert. */
  async insert(index: number, value: T): Promise<void> {
    await transport().state({ op: 'list.insert', key: this.id, index, value: dumps(value, 'the value') });
  }

  /** Removes and returns the item at `index` (default: the last); IndexError when out of range. */
  async pop(index = -1): Promise<T> {
    const value = await transport().state({ op: 'list.pop', key: this.id, index });
    if (value === null) throw new IndexError(`pop index ${index} is out of range`);
    return loads<T>(value);
  }

  /** Removes the first item equal to `value`; ValueError when there is none. */
  async remove(value: T): Promise<void> {
    if (!(await transport().state({ op: 'list.remove', key: this.id, value: dumps(value, 'the value') }))) throw new ValueError('list.remove(x): x not in list');
  }

  /** The index of the first item equal to `value`; ValueError when there is none. */
  async index(value: T): Promise<number> {
    const found = await transport().state({ op: 'list.index', key: this.id, value: dumps(value, 'the value') });
    if (found === null) throw new ValueError('list.index(x): x not in list');
    return found;
  }

  async get(index: number): Promise<T> {
    const value = await transport().state({ op: 'list.get', key: this.id, index });
    if (value === null) throw new IndexError(`list index ${index} is out of range`);
    return loads<T>(value);
  }

  async set(index: number, value: T): Promise<void> {
    if (!(await transport().state({ op: 'list.set', key: this.id, index, value: dumps(value, 'the value') }))) throw new IndexError(`list assignment index ${index} is out of range`);
  }

  /** Items `start` … `stop − 1` (Python's `l[start:stop]`; negative counts from the end). */
  async slice(start = 0, stop?: number): Promise<T[]> {
    const length = await this.length();
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? length + i : i, 0), length);
    const from = clamp(start);
    const to = clamp(stop ?? length);
    if (to <= from) return [];
    return (await transport().state({ op: 'list.slice', key: this.id, start: from, stop: to - 1 })).map((value) => loads<T>(value));
  }

  length(): Promise<number> {
    return transport().state({ op: 'list.length', key: this.id });
  }

  /** Sorts in place on the server (numbers or strings). */
  async sort({ reverse = false }: { reverse?: boolean } = {}): Promise<void> {
    await transport().state({ op: 'list.sort', key: this.id, reverse });
  }

  /** A local copy of the whole list. */
  copy(): Promise<T[]> {
    return this.slice();
  }

  reduce(): Reduced {
    return { kind: 'ListProxy', state: this.id };
  }
}

/** A shared namespace: `await ns.get('x')`, `await ns.set('x', 1)` for Python's `ns.x`, `ns.x = 1`. */
export class NamespaceProxy extends SharedObject {
  readonly #attributes: DictProxy<string, unknown>;

  constructor(readonly id: string) {
    super();
    this.#attributes = new DictProxy(id);
  }

  async get<T = unknown>(name: string): Promise<T> {
    const value = await this.#attributes.get(name, MISSING);
    if (value === MISSING) throw new KeyError(`'Namespace' object has no attribute '${name}'`);
    return value as T;
  }

  set(name: string, value: unknown): Promise<void> {
    return this.#attributes.set(name, value);
  }

  delete(name: string): Promise<void> {
    return this.#attributes.delete(name);
  }

  async toObject(): Promise<Record<string, unknown>> {
    return Object.fromEntries(await this.#attributes.items());
  }

  reduce(): Reduced {
    return { kind: 'NamespaceProxy', state: this.id };
  }
}

registerShared('DictProxy', (id: string) => new DictProxy(id));
registerShared('ListProxy', (id: string) => new ListProxy(id));
registerShared('NamespaceProxy', (id: string) => new NamespaceProxy(id));

type Constructor = new (...args: never[]) => object;
const registry = new Map<string, Constructor>();

/** A proxy to a registered class's instance: every method is async and runs under the object's lock. */
export type Proxy<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never } & SharedObject;

class ObjectProxy extends SharedObject {
  constructor(
    readonly typeid: string,
    readonly id: string,
  ) {
    super();
  }

  /** Loads the state, runs the method on it, stores it back: all under the object's lock. */
  async callMethod(method: string, args: unknown[]): Promise<unknown> {
    const Class = registered(this.typeid);
    const held = await new Lock(`object-${this.id}`).hold();
    try {
      const runtime = transport();
      const state = await runtime.state({ op: 'object.load', key: this.id });
      const instance = Object.assign(Object.create(Class.prototype) as Record<string, unknown>, state ? loads<object>(state) : {});
      const result = await (instance[method] as (...a: unknown[]) => unknown)(...args);
      await runtime.state({ op: 'object.store', key: this.id, state: dumps({ ...instance }, `the state of a ${this.typeid}`) });
      return result;
    } finally {
      await held.release();
    }
  }

  reduce(): Reduced {
    return { kind: 'ObjectProxy', state: [this.typeid, this.id] };
  }
}

/** Names the language asks of any object (`await` looks for `then`): never methods of the shared class. */
const PROTOCOL_NAMES = new Set(['then', 'catch', 'finally', 'toJSON']);

function proxyFor<T>(object: ObjectProxy): Proxy<T> {
  return new globalThis.Proxy(object, {
    get(target, name, receiver) {
      if (typeof name !== 'string' || name in target || PROTOCOL_NAMES.has(name)) return Reflect.get(target, name, receiver);
      return (...args: unknown[]) => target.callMethod(name, args);
    },
  }) as unknown as Proxy<T>;
}

registerShared('ObjectProxy', ([typeid, id]: [string, string]) => proxyFor(new ObjectProxy(typeid, id)));

function registered(typeid: string): Constructor {
  const Class = registry.get(typeid);
  if (!Class) throw new ValueError(`no class is registered as '${typeid}' here: call BaseManager.register('${typeid}', Class) in a module both main.ts and tasks.ts import`);
  return Class;
}

/** The base of managers: a registry of classes whose instances live in Redis. */
export class BaseManager {
  /** Registers `Class` under `typeid`; `manager.create(typeid, …args)` then makes shared instances. */
  static register(typeid: string, Class: Constructor): void {
    registry.set(typeid, Class);
  }

  /** State lives in Redis for the run: there is no server process to start. */
  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async [asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** A new shared instance of a registered class, built with `args`. */
  async create<C extends Constructor>(typeid: string, ...args: ConstructorParameters<C>): Promise<Proxy<InstanceType<C>>> {
    const Class = registered(typeid);
    const object = new ObjectProxy(typeid, transport().uuid());
    await transport().state({ op: 'object.store', key: object.id, state: dumps({ ...new Class(...args) }, `the state of a ${typeid}`) });
    return proxyFor<InstanceType<C>>(object);
  }
}

/** The manager of `Manager()`: factories for every shared type. */
export class SyncManager extends BaseManager {
  async dict<K = unknown, V = unknown>(initial?: Map<K, V> | Iterable<[K, V]> | Record<string, V>): Promise<DictProxy<K, V>> {
    const dict = new DictProxy<K, V>(transport().uuid());
    if (initial) await dict.update(initial);
    return dict;
  }

  async list<T = unknown>(initial?: Iterable<T>): Promise<ListProxy<T>> {
    const list = new ListProxy<T>(transport().uuid());
    if (initial) await list.extend(initial);
    return list;
  }

  async Namespace(initial: Record<string, unknown> = {}): Promise<NamespaceProxy> {
    const namespace = new NamespaceProxy(transport().uuid());
    for (const [name, value] of Object.entries(initial)) await namespace.set(name, value);
    return namespace;
  }

  Queue<T>(maxsize = 0): Queue<T> {
    return new Queue<T>(maxsize);
  }

  JoinableQueue<T>(maxsize = 0): JoinableQueue<T> {
    return new JoinableQueue<T>(maxsize);
  }

  Lock(): Lock {
    return new Lock();
  }

  RLock(): RLock {
    return new RLock();
  }

  Semaphore(value = 1): Semaphore {
    return new Semaphore(value);
  }

  BoundedSemaphore(value = 1): BoundedSemaphore {
    return new BoundedSemaphore(value);
  }

  Condition(lock?: Lock): Condition {
    return new Condition(lock);
  }

  Event(): Event {
    return new Event();
  }

  Barrier(parties: number, action?: TaskRef<() => unknown>, timeout?: Duration): Barrier {
    return new Barrier(parties, action, timeout);
  }

  readonly Value = Value;
  readonly Array = Array;
}

/** `multiprocessing.Manager()`: a started SyncManager. */
export async function Manager(): Promise<SyncManager> {
  const manager = new SyncManager();
  await manager.start();
  return manager;
}
