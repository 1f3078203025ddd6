/** Task functions for the shared-state suite. */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BaseManager,
  type Barrier,
  type Condition,
  type Connection,
  type DictProxy,
  type Event,
  type JoinableQueue,
  type ListProxy,
  type Lock,
  type Proxy,
  type Queue,
  type Semaphore,
  type SharedArray,
  type SharedValue,
} from 'mpflow';
import { Counter } from './counter.js';

BaseManager.register('Counter', Counter);

export async function tryAcquire(lock: Lock): Promise<boolean> {
  const acquired = await lock.acquire(false);
  if (acquired) await lock.release();
  return acquired;
}

export async function acquireWithin(lock: Lock, ms: number): Promise<boolean> {
  const acquired = await lock.acquire(true, ms);
  if (acquired) await lock.release();
  return acquired;
}

export async function releaseOthers(lock: Lock): Promise<string> {
  return lock.release().then(() => 'released', (error: Error) => `${error.name}: ${error.message}`);
}

/** Takes the lock and never lets go (the test stops this task's thread). */
export async function holdForever(lock: Lock): Promise<void> {
  await lock.acquire();
  await sleep(600_000);
}

/** Takes the lock, keeps its thread busy for `ms` (no lease renewal can run), then tries to release it. */
export async function holdWhileBusy(lock: Lock, ms: number, taken: Event): Promise<string> {
  await lock.acquire();
  await taken.set();
  for (const end = Date.now() + ms; Date.now() < end; );
  return lock.release().then(() => 'released', (error: Error) => `${error.name}: ${error.message}`);
}

/** `times` read-modify-write increments of a plain shared value, made safe by a lock. */
export async function lockedIncrements(lock: Lock, value: SharedValue<'i'>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await using _held = await lock.hold();
    await value.set((await value.get()) + 1);
  }
}

export async function atomicIncrements(value: SharedValue<'i'>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await value.increment();
}

/** When it held the semaphore, to tell how many held it at once. */
export async function holdSemaphore(semaphore: Semaphore, ms: number): Promise<[number, number]> {
  await using _held = await semaphore.hold();
  const start = Date.now();
  await sleep(ms);
  return [start, Date.now()];
}

export async function waitForEvent(event: Event, out: Queue<string>, name: string): Promise<void> {
  if (await event.wait(10_000)) await out.put(name);
}

export async function waitOnCondition(condition: Condition, ready: Queue<string>, woke: Queue<string>, name: string): Promise<void> {
  await using _held = await condition.hold();
  await ready.put(name);
  if (await condition.wait(20_000)) await woke.put(name);
}

export async function arriveAtBarrier(barrier: Barrier, out: Queue<number | string>): Promise<void> {
  await out.put(await barrier.wait().catch((error: Error) => error.name));
}

export function failingAction(): never {
  throw new Error('the action failed');
}

export function quietAction(): void {}

export async function echo(connection: Connection, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await connection.send(await connection.recv());
}

export async function sendThenClose(connection: Connection, items: unknown[]): Promise<void> {
  for (const item of items) await connection.send(item);
  await connection.close();
}

export async function sendBytesLater(connection: Connection, ms: number, bytes: Uint8Array): Promise<void> {
  await sleep(ms);
  await connection.sendBytes(bytes);
}

export async function consumeJoinable(queue: JoinableQueue<number>, count: number, done: Queue<number>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const item = await queue.get();
    await sleep(20);
    await done.put(item);
    await queue.taskDone();
  }
}

export async function produceTagged(queue: Queue<[number, number]>, producer: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await queue.put([producer, i]);
}

export async function doubleInPlace(array: SharedArray<'d'>, start: number, end: number): Promise<void> {
  const values = await array.slice(start, end);
  await array.setSlice(start, Array.from(values, (v) => v * 2));
}

export async function appendMany(list: ListProxy<number>, worker: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await list.append(worker * count + i);
}

export async function incrementCounter(counter: Proxy<Counter>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await counter.increment();
}

export async function fillDict(dict: DictProxy<string, number>, entries: [string, number][]): Promise<void> {
  await dict.update(entries);
}

export async function square(x: number): Promise<number> {
  return x * x;
}

export async function napThenReturn(ms: number, value: unknown): Promise<unknown> {
  await sleep(ms);
  return value;
}

export function failWith(message: string): never {
  throw new TypeError(message);
}

/** Uses an Event that came through a queue and a Lock that came over a pipe. */
export async function useHandlesFrom(queue: Queue<Event>, connection: Connection): Promise<void> {
  const event = await queue.get();
  const lock = await connection.recv<Lock>();
  await connection.send(await lock.acquire(false));
  await event.set();
}
