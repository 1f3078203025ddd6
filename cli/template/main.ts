/**
 * The main program: mpflow runs it as a durable Temporal workflow, so a crash of the machine
 * that drives it costs nothing. It decides what runs; the work itself is in tasks.ts. Keep it
 * deterministic: no I/O, clocks or randomness here (they belong in tasks).
 */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { square } = proxyTasks<typeof T>();

export async function main(n = 10, processes = 4): Promise<number> {
  await using pool = new Pool(processes);
  const squares = await pool.map(square, Array.from({ length: n }, (_, i) => i));
  return squares.reduce((sum, x) => sum + x, 0);
}
