/** Task functions for the fs suite. */
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
    const seen = await scenarios.streams(path, megabytes, readMegabytes, writeThroughPipeline);
    await fs.rm(path);
    return { ...seen, rssRiseMB: Math.round((peak - before) / 1024 / 1024) };
  } finally {
    clearInterval(sampler);
  }
}

/** Node's way, where Node runs the task: `stream.pipeline` into the write stream, which holds the producer back. */
async function writeThroughPipeline(path: string, megabytes: number): Promise<scenarios.Written> {
  const written = new scenarios.Checksum();
  function* chunks() {
    for (let i = 0; i < megabytes; i++) {
      const chunk = new Uint8Array(1024 * 1024);
      scenarios.fill(chunk, i);
      written.add(chunk);
      yield chunk;
    }
  }
  const out = fs.createWriteStream(path);
  await pipeline(Readable.from(chunks()), out);
  return { bytesWritten: out.bytesWritten, checksum: written.value };
}

/**
 * Code written for `node:fs` streams, unchanged: 'drain' after `write()` says false, `end(cb)`,
 * 'finish' before 'close', the file absent until 'finish', a destroyed stream leaving nothing,
 * `pipeline` through a transform, and 'error' for a file that exists under 'wx'.
 */
export async function nodeStreams(dir: string) {
  await fs.mkdir(dir, { recursive: true });
  const events: string[] = [];
  const out = fs.createWriteStream(`${dir}/drained.bin`);
  for (const name of ['ready', 'finish', 'close'] as const) out.on(name, () => events.push(name));
  let writesBeforeFull = 0;
  while (out.write(new Uint8Array(1024 * 1024))) writesBeforeFull++;
  await once(out, 'drain');
  events.push('drain');
  const visibleBeforeFinish = await fs.exists(`${dir}/drained.bin`);
  await new Promise<void>((resolve) => out.end(new Uint8Array(10), () => resolve()));
  events.push('end callback');
  if (!out.closed) await once(out, 'close');
  const size = (await fs.stat(`${dir}/drained.bin`)).size;

  const dropped = fs.createWriteStream(`${dir}/dropped.bin`);
  dropped.write('never seen');
  dropped.destroy();
  await once(dropped, 'close');

  await pipeline(
    fs.createReadStream(`${dir}/drained.bin`, { highWaterMark: 3 * 1024 * 1024 }),
    new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, chunk.subarray(0, 1)) }),
    fs.createWriteStream(`${dir}/firsts.bin`),
  );
  const [error] = (await once(fs.createWriteStream(`${dir}/drained.bin`, { flags: 'wx' }), 'error')) as [NodeJS.ErrnoException];
  return {
    writesBeforeFull,
    events,
    visibleBeforeFinish,
    size,
    droppedExists: await fs.exists(`${dir}/dropped.bin`),
    firsts: (await fs.stat(`${dir}/firsts.bin`)).size,
    wxError: error.code,
  };
}
