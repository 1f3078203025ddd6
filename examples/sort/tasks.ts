/** The processes of the parallel sort: fill, sort, merge, check; over a shared Array or Pipes. */
import type { Connection, SharedArray } from 'mpflow';

type Doubles = SharedArray<'d'>;

/** Writes seeded pseudo-random doubles into [start, end); returns their sum. */
export async function fill(array: Doubles, start: number, end: number, seed: number): Promise<number> {
  let state = seed >>> 0 || 1;
  const values = new Float64Array(end - start);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    sum += values[i] = (state >>> 0) / 4294967296;
  }
  await array.setSlice(start, values);
  return sum;
}

/** Sorts [start, end) of the shared array where it is. */
export async function sortInPlace(array: Doubles, start: number, end: number): Promise<void> {
  await array.setSlice(start, (await array.slice(start, end)).sort());
}

/** Merges the sorted runs [start, middle) and [middle, end) of the shared array where they are. */
export async function mergeInPlace(array: Doubles, start: number, middle: number, end: number): Promise<void> {
  const [left, right] = await Promise.all([array.slice(start, middle), array.slice(middle, end)]);
  await array.setSlice(start, merge([left, right]));
}

/** A sorted local copy of [start, end). */
export async function sortedCopy(array: Doubles, start: number, end: number): Promise<Float64Array> {
  return (await array.slice(start, end)).sort();
}

/** Merges sorted runs and writes the result over the whole array. */
export async function mergeAndStore(array: Doubles, runs: Float64Array[]): Promise<void> {
  await array.setSlice(0, merge(runs));
}

/** Reads the array and sends chunk i of it over connection i. */
export async function scatter(array: Doubles, connections: Connection[]): Promise<void> {
  const values = await array.slice();
  const size = Math.ceil(values.length / connections.length);
  await Promise.all(connections.map((connection, i) => connection.sendBytes(asBytes(values.subarray(i * size, (i + 1) * size)))));
}

/** Receives a chunk, sorts it, sends it back. */
export async function sortOverPipe(connection: Connection): Promise<void> {
  const chunk = asDoubles(await connection.recvBytes()).sort();
  await connection.sendBytes(asBytes(chunk));
}

/** Receives the sorted chunks, merges them and writes the result over the whole array. */
export async function gatherAndStore(array: Doubles, connections: Connection[]): Promise<void> {
  const runs = await Promise.all(connections.map(async (connection) => asDoubles(await connection.recvBytes())));
  await array.setSlice(0, merge(runs));
}

/** Whether the array is sorted, and its sum (the same numbers as before?). */
export async function check(array: Doubles): Promise<[boolean, number]> {
  const values = await array.slice();
  let sorted = true;
  let sum = values[0] ?? 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1] > values[i]) sorted = false;
    sum += values[i];
  }
  return [sorted, sum];
}

function merge(runs: Float64Array[]): Float64Array {
  while (runs.length > 1) {
    const next: Float64Array[] = [];
    for (let r = 0; r < runs.length; r += 2) next.push(r + 1 < runs.length ? mergeTwo(runs[r], runs[r + 1]) : runs[r]);
    runs = next;
  }
  return runs[0] ?? new Float64Array(0);
}

function mergeTwo(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

function asBytes(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function asDoubles(bytes: Uint8Array): Float64Array {
  return new Float64Array(bytes.slice().buffer);
}
