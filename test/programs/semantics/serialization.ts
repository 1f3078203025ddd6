/** Serialization and scale: the main-program side of the scenarios test/serialization.test.ts and test/scale.test.ts runs, one exported function each. */
import { Pool } from 'mpflow';
import { range } from '../scenario-helpers.js';
import { t } from './refs.js';

export async function echoThroughTask<V>(value: V): Promise<V> {
  await using pool = new Pool(1);
  return (await pool.apply(t.echo, [value])) as V;
}

export async function largeArguments(count: number, megabytes: number): Promise<[number, number][]> {
  await using pool = new Pool(2);
  const buffers = range(count).map((i) => new Uint8Array(megabytes * 1024 * 1024).fill(i + 1));
  return pool.map(t.checksum, buffers);
}

export async function sumOfSquares(processes: number, items: number): Promise<number> {
  await using pool = new Pool(processes);
  const squares = await pool.map(t.square, range(items), 1);
  return squares.reduce((a, b) => a + b, 0);
}
