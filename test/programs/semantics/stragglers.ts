/** Straggler copies (queue dispatch): the main-program side of the scenarios test/stragglers.test.ts runs, one exported function each. */
import { Pool, Queue } from 'mpflow';
import { range } from '../scenario-helpers.js';
import { t, pause } from './refs.js';

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
