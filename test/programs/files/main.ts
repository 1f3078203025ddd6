/** Main-program entries for the fs suite: a scenario here or in a task, writers racing, large listings. */
import { Pool, fs, proxyTasks } from 'mpflow';
import * as scenarios from './scenarios.js';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

export type ScenarioName = 'textAndBinary' | 'directories' | 'errors' | 'streams';

/** Node's stream API, in a task. */
export async function nodeStreams(dir: string) {
  await using pool = new Pool(1);
  return pool.apply(t.nodeStreams, [dir]);
}

/** Runs scenario `name` in the main program, or in a task of a one-process pool. */
export async function scenario(name: ScenarioName, where: 'main' | 'task', ...args: unknown[]): Promise<unknown> {
  if (where === 'main') return (scenarios[name] as (...args: unknown[]) => Promise<unknown>)(...args);
  await using pool = new Pool(1);
  return pool.apply(t.scenario, [name, ...args]);
}

/**
 * `writers` tasks at once: each streams a file of its own, appends a line to one shared log,
 * and replaces one shared file with its own content.
 */
export async function concurrentWriters(dir: string, writers: number, megabytes: number) {
  await fs.mkdir(dir, { recursive: true });
  await using pool = new Pool(writers);
  const written = await pool.starmap(t.writeFromTask, Array.from({ length: writers }, (_, i) => [dir, i, megabytes] as [string, number, number]), 1);
  const log = (await fs.readFile(`${dir}/log.txt`, 'utf8')).trim().split('\n').sort();
  const shared = await fs.readFile(`${dir}/shared.txt`, 'utf8');
  return { written, log, sharedIsOneWritersWhole: Array.from({ length: writers }, (_, i) => `writer ${i} `.repeat(1000)).includes(shared) };
}

/** `files` small files written by tasks, then listed by the main program (S3 lists 1,000 keys a page). */
export async function manyFiles(dir: string, files: number) {
  await fs.mkdir(`${dir}/nested`, { recursive: true });
  await using pool = new Pool(4);
  await pool.starmap(t.writeNumbered, Array.from({ length: files }, (_, i) => [dir, i] as [string, number]), 50);
  const names = await fs.readdir(dir);
  const tree = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  await fs.rm(dir, { recursive: true });
  return { listed: names.length, sorted: names.every((name, i) => i === 0 || names[i - 1] < name), first: names.slice(0, 3), tree: tree.length, removed: !(await fs.exists(dir)) };
}

/** Streams `megabytes` out and back in a task, and reports how far its process's memory rose. */
export async function largeStream(path: string, megabytes: number, readMegabytes: number) {
  await using pool = new Pool(1);
  return pool.apply(t.streamWithFlatMemory, [path, megabytes, readMegabytes]);
}
