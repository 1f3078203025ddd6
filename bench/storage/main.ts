/** The storage benchmark's main program: n processes each write a file, then each read theirs back. */
import { Pool, fs, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

export interface Phase {
  bytes: number;
  /** Milliseconds from the first process's start to the last one's end, as the processes timed it. */
  ms: number;
}

export async function main(processes: number, megabytes: number): Promise<{ write: Phase; read: Phase }> {
  const dir = `bench-${processes}`;
  await fs.mkdir(dir, { recursive: true });
  await using pool = new Pool(processes);
  const files = Array.from({ length: processes }, (_, i) => [`${dir}/file-${i}.bin`, megabytes] as [string, number]);
  const write = span(await pool.starmap(t.writeFile, files, 1));
  const read = span(await pool.map(t.readFile, files.map(([path]) => path), 1));
  await fs.rm(dir, { recursive: true });
  return { write, read };
}

function span(timings: [start: number, end: number, bytes: number][]): Phase {
  const start = Math.min(...timings.map(([begun]) => begun));
  const end = Math.max(...timings.map(([, ended]) => ended));
  return { bytes: timings.reduce((sum, [, , bytes]) => sum + bytes, 0), ms: end - start };
}
