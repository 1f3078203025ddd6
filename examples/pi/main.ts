/** π by Monte Carlo: the study's benchmark 4, as a user writes it. */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { inCircle } = proxyTasks<typeof T>();

export async function main(samples = 20_000_000, processes = 4): Promise<number> {
  await using pool = new Pool(processes);
  const counts = await pool.map(inCircle, batches(samples, processes * 4));
  return (4 * counts.reduce((a, b) => a + b, 0)) / samples;
}

/** `parts` batches of samples that add up to `samples`, each with its own seed. */
function batches(samples: number, parts: number): [number, number][] {
  const size = Math.floor(samples / parts);
  return Array.from({ length: parts }, (_, i) => [i === parts - 1 ? samples - size * (parts - 1) : size, 2654435761 * (i + 1)]);
}
