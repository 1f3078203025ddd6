/** A map on a pool with one slow slot, with or without straggler copies (queue dispatch). */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { nap } = proxyTasks<typeof T>();

/** Returns the map's wall time in ms, timed once the pool's workers are up. */
export async function main(chunks: number, ms: number, slowFactor: number, processes: number, speculative: boolean): Promise<number> {
  await using pool = new Pool(processes, { dispatch: 'queue', speculative: speculative && { factor: 3, minRunTime: 2 * ms } });
  await pool.map(nap, Array(processes).fill([0, 1]), 1);
  const started = Date.now();
  await pool.map(nap, Array(chunks).fill([ms, slowFactor]), 1);
  return Date.now() - started;
}
