/** A map long enough to kill its worker (or restart Redis) in the middle of. */
import { Pool, proxyTasks, type Dispatch } from 'mpflow';
import type * as T from './tasks.js';

const { countedNap } = proxyTasks<typeof T>();

export async function main(runTag: string, chunks: number, ms: number, processes: number, dispatch: Dispatch): Promise<number> {
  await using pool = new Pool(processes, { dispatch, speculative: false });
  const items = Array.from({ length: chunks }, (_, i): [string, number, number] => [runTag, i, ms]);
  const doubled = await pool.map(countedNap, items, 1);
  return doubled.reduce((a, b) => a + b, 0);
}
