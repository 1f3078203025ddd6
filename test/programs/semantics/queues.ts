/** Queues: the main-program side of the scenarios test/queue.test.ts runs, one exported function each. */
import { Pool, Process, Queue } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { t } from './refs.js';

export async function queueFifoToTask(): Promise<number[]> {
  const queue = new Queue<number>();
  for (const i of range(5)) await queue.put(i);
  await using pool = new Pool(1);
  return (await pool.apply(t.consume, [queue, 5])) as number[];
}

export async function queueFromProcess(): Promise<number[]> {
  const queue = new Queue<number>();
  const producer = new Process({ target: t.produce, args: [queue, [1, 2, 3]] });
  producer.start();
  await producer.join();
  return [await queue.get(), await queue.get(), await queue.get()];
}

export async function queueEmptyAndFull() {
  const queue = new Queue<number>(1);
  const emptyNowait = await caught(() => queue.getNowait());
  const emptyTimeout = await caught(() => queue.get(true, 100));
  const empty = await queue.empty();
  await queue.put(1);
  const fullNowait = await caught(() => queue.putNowait(2));
  const fullTimeout = await caught(() => queue.put(2, true, '100ms'));
  return { emptyNowait, emptyTimeout, empty, fullNowait, fullTimeout, full: await queue.full(), qsize: await queue.qsize() };
}

export async function queueBlockedPutResumes(): Promise<string[]> {
  const queue = new Queue<string>(1);
  await queue.put('a');
  await using pool = new Pool(1);
  const consumed = pool.applyAsync(t.consume, [queue, 2]);
  await queue.put('b');
  return (await consumed.get()) as string[];
}

export async function closedQueue(): Promise<string | undefined> {
  const queue = new Queue<number>();
  queue.close();
  return caught(() => queue.put(1));
}

/** Waits on a queue that a task fills after `ms`, while a map of two naps of twice that runs: what the run's current details show meanwhile. */
export async function queueWaitDuringMap(ms: number): Promise<string | undefined> {
  const queue = new Queue<string>();
  await using pool = new Pool(3);
  const naps = pool.mapAsync(t.nap, [2 * ms, 2 * ms]);
  pool.applyAsync(t.napThenPut, [ms, queue]);
  const item = await queue.get();
  await naps.get();
  return item;
}
