/** One map of many tiny tasks, one item per task: more than one workflow's history can hold. */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { double } = proxyTasks<typeof T>();

export async function main(items: number, processes: number): Promise<number> {
  await using pool = new Pool(processes);
  const doubled = await pool.map(double, Array.from({ length: items }, (_, i) => i), 1);
  return doubled.reduce((a, b) => a + b, 0);
}
