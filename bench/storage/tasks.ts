/** The storage benchmark's processes: stream a file out or in, timing it with the wall clock. */
import { fs } from 'mpflow';

const CHUNK = new Uint8Array(1024 * 1024).map((_, i) => i % 251);

export async function writeFile(path: string, megabytes: number): Promise<[number, number, number]> {
  const start = Date.now();
  const out = fs.createWriteStream(path);
  for (let i = 0; i < megabytes; i++) await out.write(CHUNK);
  await out.end();
  return [start, Date.now(), out.bytesWritten];
}

export async function readFile(path: string): Promise<[number, number, number]> {
  const start = Date.now();
  let bytes = 0;
  for await (const chunk of fs.createReadStream(path)) bytes += chunk.length;
  return [start, Date.now(), bytes];
}
