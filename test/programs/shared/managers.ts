/** Managers and their proxies: the main-program side of the scenarios test/managers.test.ts runs, one exported function each. */
import { BaseManager, Manager, Pool, Process } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { Counter } from './counter.js';
import { t, runAll } from './refs.js';

BaseManager.register('Counter', Counter);

export async function managerDict() {
  const manager = await Manager();
  const dict = await manager.dict<string, number>({ a: 1 });
  await dict.set('b', 2);
  await using pool = new Pool(1);
  await pool.apply(t.fillDict, [dict, [['c', 3], ['d', 4]]]);
  return {
    get: await dict.get('a'),
    missing: await dict.get('zz', -1),
    has: [await dict.has('b'), await dict.has('zz')],
    length: await dict.length(),
    popped: await dict.pop('a'),
    popDefault: await dict.pop('zz', 0),
    popMissing: await caught(() => dict.pop('zz')),
    setdefault: [await dict.setdefault('b', 99), await dict.setdefault('e', 5)],
    deleteMissing: await caught(() => dict.delete('zz')),
    items: (await dict.items()).sort(),
  };
}

export async function managerList() {
  const manager = await Manager();
  const list = await manager.list<number>([5, 1, 4]);
  await list.insert(1, 9);
  await list.insert(-1, 7);
  await list.append(3);
  const popped = [await list.pop(), await list.pop(0)];
  await list.remove(9);
  const index = await list.index(4);
  await list.sort();
  const sorted = await list.copy();
  await list.sort({ reverse: true });
  await list.set(0, 42);
  return {
    popped,
    index,
    sorted,
    reversed: await list.copy(),
    slice: await list.slice(1, -1),
    get: await list.get(-1),
    errors: [await caught(() => list.remove(100)), await caught(() => list.index(100)), await caught(() => list.get(10)), await caught(() => list.set(10, 1))],
  };
}

export async function managerListAppendsUnderConcurrency(tasks: number, times: number): Promise<number[]> {
  const list = await (await Manager()).list<number>();
  await runAll(range(tasks).map((worker) => new Process({ target: t.appendMany, args: [list, worker, times] })));
  return (await list.copy()).sort((a, b) => a - b);
}

export async function managerNamespace() {
  const namespace = await (await Manager()).Namespace({ x: 1 });
  await namespace.set('y', 'two');
  return { x: await namespace.get('x'), all: await namespace.toObject(), missing: await caught(() => namespace.get('z')) };
}

export async function registeredClassUnderConcurrency(tasks: number, times: number): Promise<number> {
  const manager = new BaseManager();
  await manager.start();
  const counter = await manager.create<typeof Counter>('Counter', 10);
  await runAll(range(tasks).map(() => new Process({ target: t.incrementCounter, args: [counter, times] })));
  return counter.value();
}
