/** Many tiny tasks, one item per task: what launching a task costs. */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { noop } = proxyTasks<typeof T>();

/** Starts the pool's workers, then times a map of `items` no-op tasks; returns [ms, checksum]. */
export async function main(items: number, processes: number): Promise<[number, number]> {
  await using pool = new Pool(processes);
  await pool.map(noop, Array.from({ length: processes }, (_, i) => i), 1);
  const started = Date.now();
  const results = await pool.map(noop, Array.from({ length: items }, (_, i) => i), 1);
  return [Date.now() - started, results.reduce((a, b) => a + b, 0)];
}
