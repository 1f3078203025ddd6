/** Pools: the main-program side of the scenarios test/pool.test.ts runs, one exported function each. */
import { Pool, Process, Queue } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { t, pause } from './refs.js';

export async function mapSquares(n: number): Promise<number[]> {
  await using pool = new Pool(4);
  return pool.map(t.square, range(n));
}

export async function defaultChunksize(items: number, processes: number): Promise<number> {
  await using pool = new Pool(processes);
  const result = pool.mapAsync(t.square, range(items));
  await result.get();
  return result.chunksize;
}

export async function starmapAdd(pairs: [number, number][]): Promise<number[]> {
  await using pool = new Pool(2);
  return pool.starmap(t.add, pairs);
}

export async function applyAndCallbacks() {
  await using pool = new Pool(2);
  const direct = await pool.apply(t.add, [2, 3]);
  const called: unknown[] = [];
  const value = await pool.applyAsync(t.add, [4, 5], { callback: (v) => called.push(v) }).get();
  const failing = pool.applyAsync(t.fail, ['no'], { errorCallback: (e) => called.push(e.message) });
  await failing.wait();
  return { direct, value, called, ready: failing.ready(), successful: failing.successful() };
}

export async function imapStreamsInOrder(): Promise<string[]> {
  await using pool = new Pool(3);
  const gate = new Queue<string>();
  const seen: string[] = [];
  const items: [Queue<string>, string, boolean][] = [[gate, 'first', false], [gate, 'second', true], [gate, 'third', false]];
  for await (const label of pool.imap(t.gatedLabel, items)) {
    seen.push(label);
    if (label === 'first') await gate.put('open');
  }
  return seen;
}

export async function imapUnorderedNeverWaitsForSlowChunk(): Promise<string[]> {
  await using pool = new Pool(3);
  const gate = new Queue<string>();
  const seen: string[] = [];
  const items: [Queue<string>, string, boolean][] = [[gate, 'slow', true], [gate, 'fast1', false], [gate, 'fast2', false]];
  for await (const label of pool.imapUnordered(t.gatedLabel, items)) {
    seen.push(label);
    if (seen.length === 2) await gate.put('open');
  }
  return seen;
}

/** The largest number of tasks that ran at the same moment. */
export async function maxInFlight(processes: number, tasks: number, ms: number): Promise<number> {
  await using pool = new Pool(processes);
  const intervals = await pool.map(t.interval, Array(tasks).fill(ms), 1);
  const edges = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (running += step));
  return most;
}

export async function initializerRuns(maxTasksPerChild?: number) {
  const calls = new Queue<string>();
  await using pool = new Pool(1, { initializer: t.initialize, initargs: ['ready', calls], maxTasksPerChild });
  const values = await pool.map(t.readInitialized, range(6), 1);
  return { values, initializations: await calls.qsize() };
}

export async function closeThenJoin() {
  const pool = new Pool(2);
  const results = [pool.applyAsync(t.nap, [100]), pool.applyAsync(t.nap, [150]), pool.applyAsync(t.nap, [200])];
  pool.close();
  const refused = await caught(() => pool.map(t.square, [1]));
  await pool.join();
  return { ready: results.map((r) => r.ready()), refused };
}

export async function joinWhileRunning(): Promise<string | undefined> {
  await using pool = new Pool(1);
  return caught(() => pool.join());
}

export async function terminateCancelsRunningWork(): Promise<string | undefined> {
  const pool = new Pool(1);
  const result = pool.applyAsync(t.nap, [60_000]);
  await pause(300);
  pool.terminate();
  return caught(() => result.get());
}

export async function asyncResultTimeouts() {
  await using pool = new Pool(1);
  const result = pool.applyAsync(t.nap, [4_000]);
  const getError = await caught(() => result.get(100));
  await result.wait(50);
  const readyAfterWait = result.ready();
  const successfulError = await caught(async () => result.successful());
  const value = await result.get('10s');
  return { getError, readyAfterWait, successfulError, value, successful: result.successful() };
}

export async function taskTimeoutStopsTheTask() {
  const finished = new Queue<string>();
  await using pool = new Pool(1);
  const error = await caught(() => pool.apply(t.napThenPut, [1_500, finished], { timeout: 300 }));
  await pause(2_500);
  return { error, finishedLater: await finished.qsize() };
}

export async function disposeClosesAndJoins(): Promise<string | undefined> {
  let escaped: Pool;
  {
    await using pool = new Pool(1);
    escaped = pool;
    await pool.map(t.square, [1]);
  }
  return caught(() => escaped.map(t.square, [1]));
}

export async function poolArgumentErrors() {
  return {
    processes: await caught(async () => new Pool(0)),
    chunksize: await caught(async () => {
      await using pool = new Pool(1);
      await pool.map(t.square, [1, 2], 0);
    }),
    notATask: await caught(async () => {
      await using pool = new Pool(1);
      await pool.map(((x: number) => x) as never, [1]);
    }),
    notIterable: await caught(async () => {
      await using pool = new Pool(1);
      await pool.map(t.square, 5 as never);
    }),
    itemNotIterable: await caught(async () => {
      await using pool = new Pool(1);
      await pool.starmap(t.square, [3] as never);
    }),
  };
}

/** Two chunks whose tasks write to stdout and stderr, and a Process that does too. */
export async function chattyTasks(): Promise<string[]> {
  await using pool = new Pool(2);
  const labels = await pool.map(t.chatty, ['a', 'b'], 1);
  const process = new Process({ target: t.chatty, args: ['p'] });
  process.start();
  await process.join();
  return labels;
}
