/**
 * Parallel sort of doubles (the study's benchmark 6), three ways: in place on a shared
 * Array, through local copies of its segments, and in chunks over Pipes. The main program
 * only coordinates; the numbers stay in the shared array and the tasks.
 */
import { Array as SharedArrayOf, Pipe, Pool, proxyTasks, type SharedArray } from 'mpflow';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

export type Variant = 'inPlace' | 'localCopy' | 'pipes';

export async function main(size = 1_000_000, processes = 4, variant: Variant | 'all' = 'all') {
  const variants: Variant[] = variant === 'all' ? ['inPlace', 'localCopy', 'pipes'] : [variant];
  const results: Record<string, { sorted: boolean; sameNumbers: boolean }> = {};
  for (const name of variants) results[name] = await sortOnce(name, size, processes);
  return results;
}

export async function sortOnce(variant: Variant, size: number, processes: number) {
  await using pool = new Pool(processes);
  const array = await SharedArrayOf('d', size);
  const bounds = segments(size, processes);
  const sums = await pool.starmap(t.fill, bounds.map(([start, end], i): [SharedArray<'d'>, number, number, number] => [array, start, end, 2654435761 * (i + 1)]));
  if (variant === 'inPlace') {
    await pool.starmap(t.sortInPlace, bounds.map(([start, end]): [SharedArray<'d'>, number, number] => [array, start, end]));
    for (let runs = bounds; runs.length > 1; runs = pairUp(runs)) {
      const merges = pairUp(runs).map(([start, end], i): [SharedArray<'d'>, number, number, number] => [array, start, runs[2 * i][1], end]);
      await pool.starmap(t.mergeInPlace, merges.filter(([, start, middle, end]) => middle < end && start < middle));
    }
  } else if (variant === 'localCopy') {
    const runs = await pool.starmap(t.sortedCopy, bounds.map(([start, end]): [SharedArray<'d'>, number, number] => [array, start, end]));
    await pool.apply(t.mergeAndStore, [array, runs]);
  } else {
    const pipes = bounds.map(() => Pipe());
    const sorting = pipes.map(([, theirs]) => pool.applyAsync(t.sortOverPipe, [theirs]));
    const wide = new Pool(2);
    const scattered = wide.applyAsync(t.scatter, [array, pipes.map(([mine]) => mine)]);
    await wide.apply(t.gatherAndStore, [array, pipes.map(([mine]) => mine)]);
    await scattered.get();
    for (const result of sorting) await result.get();
    wide.close();
    await wide.join();
  }
  const [sorted, sum] = await pool.apply(t.check, [array]);
  const expected = sums.reduce((a, b) => a + b, 0);
  return { sorted, sameNumbers: Math.abs(sum - expected) < 1e-6 * size };
}

/** [start, end) of `parts` nearly equal segments. */
function segments(size: number, parts: number): [number, number][] {
  const step = Math.ceil(size / parts);
  return Array.from({ length: parts }, (_, i): [number, number] => [Math.min(i * step, size), Math.min((i + 1) * step, size)]);
}

/** Adjacent runs joined two by two. */
function pairUp(runs: [number, number][]): [number, number][] {
  const joined: [number, number][] = [];
  for (let i = 0; i < runs.length; i += 2) joined.push([runs[i][0], (runs[i + 1] ?? runs[i])[1]]);
  return joined;
}
