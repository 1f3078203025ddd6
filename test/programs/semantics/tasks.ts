/** Task functions for the semantics suite. */
import { setTimeout as sleep } from 'node:timers/promises';
import { currentProcess, parentProcess, type Queue } from 'mpflow';

export function square(x: number): number {
  return x * x;
}

export function add(a: number, b: number): number {
  return a + b;
}

export function echo(value: unknown): unknown {
  return value;
}

export async function nap(ms: number): Promise<number> {
  await sleep(ms);
  return ms;
}

/** When the task started and ended, to tell how many ran at once. */
export async function interval(ms: number): Promise<[number, number]> {
  const start = Date.now();
  await sleep(ms);
  return [start, Date.now()];
}

/** Returns `label`, after `gate` yields an item when `gated`. */
export async function gatedLabel([gate, label, gated]: [Queue<string>, string, boolean]): Promise<string> {
  if (gated) await gate.get();
  return label;
}

export async function napThenPut(ms: number, queue: Queue<string>): Promise<void> {
  await sleep(ms);
  await queue.put('finished');
}

let initializedWith: unknown;

export async function initialize(value: unknown, calls: Queue<string>): Promise<void> {
  initializedWith = value;
  await calls.put('initialized');
}

export function readInitialized(_item: number): unknown {
  return initializedWith;
}

export function fail(message: string): never {
  throw new RangeError(message);
}

export function failWithOwnClass(message: string): never {
  class DatabaseError extends Error {
    override name = 'DatabaseError';
  }
  throw new DatabaseError(message);
}

export async function failAfterPut(queue: Queue<string>): Promise<never> {
  await queue.put('ran');
  throw new Error('fails every time');
}

/** Puts a mark on `runs` (so the caller can count its attempts), then ends its process with `code`. */
export async function exitAfterPut(code: number, runs: Queue<string>): Promise<never> {
  await runs.put('ran');
  process.exit(code);
}

/** Throws `message` from a timer this task started: no caller of the task can catch it. */
export async function throwFromTimer(message: string): Promise<never> {
  setTimeout(() => {
    throw new RangeError(message);
  }, 10);
  return new Promise<never>(() => {});
}

/** Rejects a promise nobody awaits. */
export async function rejectUnawaited(message: string): Promise<never> {
  void Promise.reject(new RangeError(message));
  return new Promise<never>(() => {});
}

export async function reportIdentity(queue: Queue<object>): Promise<void> {
  await queue.put({ self: currentProcess().name, parent: parentProcess()?.name ?? null });
}

export async function consume(queue: Queue, count: number): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) items.push(await queue.get());
  return items;
}

export async function produce(queue: Queue, items: unknown[]): Promise<void> {
  for (const item of items) await queue.put(item);
}

export function returnsFunction(): () => number {
  return () => 1;
}

/** Length and byte sum of a buffer, to check large arguments arrived whole. */
export function checksum(bytes: Uint8Array): [number, number] {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 4096) sum += bytes[i];
  return [bytes.length, sum];
}

/** Returns `index` after `ms`; on the first worker slot it takes `slowMs` and then reports that it finished. */
export async function napSlowOnFirstSlot([index, ms, slowMs, finished]: [number, number, number, Queue<number>]): Promise<number> {
  if (currentProcess().name !== 'PoolWorker-1') {
    await sleep(ms);
    return index;
  }
  await sleep(slowMs);
  await finished.put(index);
  return index;
}

/** Fails at once for 0, else sleeps `ms`: a map whose first chunk fails while the others still run. */
export async function failAtOnceOrNap(ms: number): Promise<number> {
  if (ms === 0) throw new RangeError('failed while a sibling chunk still ran');
  return nap(ms);
}

/** Writes two lines to stdout (one in two writes), one to stderr, and a last line without its newline. */
export function chatty(label: string): string {
  console.log(`${label}: hello`);
  process.stdout.write(`${label}: in `);
  process.stdout.write('two writes\n');
  console.error(`${label}: a warning`);
  process.stdout.write(`${label}: no newline`);
  return label;
}
