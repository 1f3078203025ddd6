/** Main-program entries for the semantics suite: each exported function is one scenario. */
import { Pool, Process, Queue, activeChildren, cpuCount, currentProcess, parentProcess, proxyTasks } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


// Pool

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
  };
}

// Process

export async function processLifecycle() {
  const p = new Process({ target: t.nap, args: [200] });
  const before = { alive: p.isAlive(), exitCode: p.exitCode, pid: p.pid ?? null };
  p.start();
  const running = { alive: p.isAlive(), children: activeChildren().length };
  await p.join();
  return { name: p.name, before, running, after: { alive: p.isAlive(), exitCode: p.exitCode, children: activeChildren().length }, hasPid: typeof p.pid === 'number' };
}

export async function processFailureExitCode(): Promise<number | null> {
  const p = new Process({ target: t.fail, args: ['bad'] });
  p.start();
  await p.join();
  return p.exitCode;
}

export async function processStopped(how: 'terminate' | 'kill'): Promise<number | null> {
  const p = new Process({ target: t.nap, args: [60_000] });
  p.start();
  await pause(300);
  p[how]();
  await p.join();
  return p.exitCode;
}

export async function processJoinTimeout(): Promise<boolean> {
  const p = new Process({ target: t.nap, args: [5_000] });
  p.start();
  await p.join(100);
  const stillAlive = p.isAlive();
  p.terminate();
  await p.join();
  return stillAlive;
}

export async function processIdentity() {
  const reports = new Queue<object>();
  const p = new Process({ target: t.reportIdentity, args: [reports], name: 'reporter' });
  p.start();
  await p.join();
  return { main: currentProcess().name, mainParent: parentProcess(), child: await reports.get(), cpus: cpuCount() };
}

export async function processStartTwice(): Promise<string | undefined> {
  const p = new Process({ target: t.nap, args: [10] });
  p.start();
  const error = await caught(async () => p.start());
  await p.join();
  return error;
}

// Queue

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

// Errors

export async function taskErrorPropagates(): Promise<never> {
  await using pool = new Pool(1);
  return pool.apply(t.fail, ['bad input']);
}

/** `return pool.map(…)` from inside `await using`: the map fails while its other chunk still runs. */
export async function failedMapReturnedFromAwaitUsing(): Promise<number[]> {
  await using pool = new Pool(2);
  return pool.map(t.failAtOnceOrNap, [0, 1_000], 1);
}

export async function taskErrorOfUnknownClass(): Promise<never> {
  await using pool = new Pool(1);
  return pool.apply(t.failWithOwnClass, ['connection refused']);
}

export async function unknownTask(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.apply((t as unknown as Record<string, typeof t.square>).noSuchTask, [1]);
}

export async function nonSerializableArgument(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.map(t.echo, [1, () => 2]);
}

export async function nonSerializableResult(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.apply(t.returnsFunction);
}

export async function taskErrorsAreNotRetried(): Promise<number> {
  const runs = new Queue<string>();
  await using pool = new Pool(1);
  await caught(() => pool.apply(t.failAfterPut, [runs]));
  return runs.qsize();
}

export async function mainThrows(): Promise<never> {
  throw new SyntaxError('the main program gave up');
}

// Serialization and scale

export async function echoThroughTask<V>(value: V): Promise<V> {
  await using pool = new Pool(1);
  return (await pool.apply(t.echo, [value])) as V;
}

export async function largeArguments(count: number, megabytes: number): Promise<[number, number][]> {
  await using pool = new Pool(2);
  const buffers = range(count).map((i) => new Uint8Array(megabytes * 1024 * 1024).fill(i + 1));
  return pool.map(t.checksum, buffers);
}

export async function sumOfSquares(processes: number, items: number): Promise<number> {
  await using pool = new Pool(processes);
  const squares = await pool.map(t.square, range(items), 1);
  return squares.reduce((a, b) => a + b, 0);
}

// Straggler copies (queue dispatch)

/**
 * Eight 200 ms chunks on Pool(4), the first worker slot taking `slowMs` instead. Returns the
 * results, how long the map took, and the chunks whose slow run had finished `slowMs` after the start.
 */
export async function straggler(slowMs: number, speculative: boolean) {
  const finished = new Queue<number>();
  await using pool = new Pool(4, { dispatch: 'queue', speculative: speculative && { factor: 2, minRunTime: 300 } });
  await pool.map(t.square, range(8), 1); // threads up and the tasks module loaded before the clock starts
  const started = Date.now();
  const items = range(8).map((i): [number, number, number, Queue<number>] => [i, 200, slowMs, finished]);
  const results = await pool.map(t.napSlowOnFirstSlot, items, 1);
  const tookMs = Date.now() - started;
  await pause(Math.max(started + slowMs + 500 - Date.now(), 0));
  const slowRunsFinished: number[] = [];
  while (!(await finished.empty())) slowRunsFinished.push(await finished.get());
  return { results, tookMs, slowRunsFinished };
}
