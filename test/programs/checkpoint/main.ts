/** A loop of shared-state operations and maps, long enough to outgrow a run's history, carried through checkpoints. */
import { Manager, Pool, Queue, RawValue, checkpoint, proxyTasks, sleep, type DictProxy, type SharedValue } from 'mpflow';
import type * as T from './tasks.js';

const { square } = proxyTasks<typeof T>();

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
