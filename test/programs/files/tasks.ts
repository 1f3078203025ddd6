/** Task functions for the fs suite. */
import { fs } from 'mpflow';
import * as scenarios from './scenarios.js';

export function scenario(name: keyof typeof scenarios, ...args: unknown[]): Promise<unknown> {
  return (scenarios[name] as (...args: unknown[]) => Promise<unknown>)(...args);
}

export async function writeFromTask(dir: string, writer: number, megabytes: number) {
  const { checksumsMatch, size } = await scenarios.streams(`${dir}/stream-${writer}.bin`, megabytes);
  await fs.appendFile(`${dir}/log.txt`, `writer ${writer}\n`);
  await fs.writeFile(`${dir}/shared.txt`, `writer ${writer} `.repeat(1000));
  return { writer, checksumsMatch, size };
}

export async function writeNumbered(dir: string, i: number): Promise<void> {
  await fs.writeFile(`${dir}/${i % 10 === 0 ? 'nested/' : ''}file-${String(i).padStart(5, '0')}.txt`, `${i}`);
}

/**
 * Streams `megabytes` out and back in this task, sampling the process's memory meanwhile:
 * returns the checksums' agreement and how far resident memory rose above where it started.
 */
export async function streamWithFlatMemory(path: string, megabytes: number, readMegabytes: number) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const seen = await scenarios.streams(path, megabytes, readMegabytes);
    await fs.rm(path);
    return { ...seen, rssRiseMB: Math.round((peak - before) / 1024 / 1024) };
  } finally {
    clearInterval(sampler);
  }
}
