/** A loop of shared-state operations and maps, long enough to outgrow a run's history, carried through checkpoints. */
import { Manager, Pipe, Pool, Process, Queue, RawValue, checkpoint, proxyTasks, sleep, type Connection, type DictProxy, type SharedValue } from 'mpflow';
import type * as T from './tasks.js';

const { square, echo, idle } = proxyTasks<typeof T>();

interface Progress {
  i: number;
  sum: number;
  counter: SharedValue<'q'>;
  queue: Queue<number>;
  dict: DictProxy<number, number>;
}

/**
 * `iterations` of four shared-state operations, with a map of 8 chunks every `mapEvery`th; a
 * checkpoint after each iteration when `checkpoints`. Returns the counter, a sum of what the
 * queue and the maps gave, the dict's size and what is left on the queue.
 */
export async function main(iterations: number, mapEvery: number, checkpoints: boolean, carried?: Progress): Promise<[number, number, number, number]> {
  const state = carried ?? { i: 0, sum: 0, counter: await RawValue('q', 0n), queue: new Queue<number>(), dict: await (await Manager()).dict<number, number>() };
  await using pool = new Pool(4);
  while (state.i < iterations) {
    await state.counter.increment(1n);
    await state.queue.put(state.i);
    state.sum += await state.queue.get();
    await state.dict.set(state.i % 50, state.i);
    if (state.i % mapEvery === mapEvery - 1) {
      const squares = await pool.map(square, [1, 2, 3, 4, 5, 6, 7, 8], 1);
      state.sum += squares.reduce((a, b) => a + b, 0);
    }
    state.i++;
    if (checkpoints) await checkpoint(iterations, mapEvery, checkpoints, state);
  }
  return [Number(await state.counter.get()), state.sum, await state.dict.length(), await state.queue.qsize()];
}

/** Sleeps `ms` on the main program's clock and says how long that was by it. */
export async function nap(ms: number): Promise<number> {
  const before = Date.now();
  await sleep(ms);
  return Date.now() - before;
}

interface Echoes {
  round: number;
  total: number;
  workers: Process[];
  pipes: Connection[];
  /** A daemon that would run for an hour: terminated in the last run. */
  idler: Process;
}

/**
 * `rounds` round trips with each of `count` echo processes over pipes, a checkpoint after each
 * round: the processes the first run started answer in every later one. Returns the sum of the
 * answers, who answered in the last round, and the processes' exit codes and pids.
 */
export async function echoes(rounds: number, count: number, carried?: Echoes) {
  const state = carried ?? startEchoes(count);
  let answered: string[] = [];
  while (state.round < rounds) {
    await Promise.all(state.pipes.map((pipe) => pipe.send(state.round)));
    const answers = await Promise.all(state.pipes.map((pipe) => pipe.recv<[string, number]>()));
    state.total += answers.reduce((sum, [, doubled]) => sum + doubled, 0);
    answered = answers.map(([name]) => name);
    state.round++;
    await checkpoint(rounds, count, state);
  }
  await Promise.all(state.pipes.map((pipe) => pipe.send(null)));
  for (const worker of state.workers) await worker.join();
  const idling = state.idler.isAlive();
  state.idler.terminate();
  await state.idler.join();
  return {
    total: state.total,
    answered,
    idling,
    exitCodes: [...state.workers, state.idler].map((process) => process.exitCode),
    pids: [...state.workers, state.idler].map((process) => process.pid),
  };
}

function startEchoes(count: number): Echoes {
  const pipes = Array.from({ length: count }, () => Pipe());
  const workers = pipes.map(([, theirs], i) => new Process({ target: echo, args: [theirs], name: `echo-${i + 1}` }));
  const idler = new Process({ target: idle, args: [3_600_000], daemon: true });
  for (const process of [...workers, idler]) process.start();
  return { round: 0, total: 0, workers, pipes: pipes.map(([mine]) => mine), idler };
}
