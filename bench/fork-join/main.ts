/** Fork-join (the study's benchmark 1): `Pool(n).map(sleep(s), [s] * n)`. */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { nap } = proxyTasks<typeof T>();

export async function main(n: number, ms: number): Promise<number> {
  await using pool = new Pool(n);
  const slept = await pool.map(nap, Array(n).fill(ms), 1);
  return slept.length;
}
