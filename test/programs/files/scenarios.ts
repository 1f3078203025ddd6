/**
 * File scenarios that run unchanged in the main program and in a task: each returns what it
 * saw, so the suite can check that every place and every backend sees the same.
 */
import { fs } from 'mpflow';

const BINARY = Uint8Array.from({ length: 512 }, (_, i) => i % 256);

export async function textAndBinary(dir: string) {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(`${dir}/text.txt`, 'héllo wörld ✓\n');
  await fs.appendFile(`${dir}/text.txt`, 'second line\n');
  await fs.writeFile(`${dir}/bytes.bin`, BINARY);
  const bytes = await fs.readFile(`${dir}/bytes.bin`);
  const handle = await fs.open(`${dir}/bytes.bin`);
  const { bytesRead, buffer } = await handle.read(new Uint8Array(4), 0, 4, 254);
  const tail = await handle.read({ buffer: new Uint8Array(16), position: 508 });
  await handle.close();
  const writer = await fs.open(`${dir}/written.txt`, 'w');
  await writer.write('one ');
  await writer.write(new TextEncoder().encode('two three'), 0, 3);
  await writer.close();
  const appender = await fs.open(`${dir}/written.txt`, 'a');
  await appender.write(' four');
  await appender.close();
  return {
    text: await fs.readFile(`${dir}/text.txt`, 'utf8'),
    binaryRoundTrips: bytes instanceof Uint8Array && bytes.length === 512 && bytes.every((byte, i) => byte === BINARY[i]),
    positional: [bytesRead, [...buffer]],
    pastTheEnd: [tail.bytesRead, [...tail.buffer.subarray(0, tail.bytesRead)]],
    handleWritten: await fs.readFile(`${dir}/written.txt`, { encoding: 'utf8' }),
    sizes: [(await fs.stat(`${dir}/text.txt`)).size, (await fs.stat(`${dir}/bytes.bin`)).size],
    isFile: (await fs.stat(`${dir}/bytes.bin`)).isFile(),
  };
}

export async function directories(dir: string) {
  const firstCreated = await fs.mkdir(`${dir}/a/b/c`, { recursive: true });
  const again = await fs.mkdir(`${dir}/a/b/c`, { recursive: true });
  await fs.mkdir(`${dir}/empty`);
  await fs.writeFile(`${dir}/a/one.txt`, '1');
  await fs.writeFile(`${dir}/a/b/two.txt`, '2');
  await fs.copyFile(`${dir}/a/one.txt`, `${dir}/a/b/c/copy.txt`);
  const copied = await fs.readFile(`${dir}/a/b/c/copy.txt`, 'utf8');
  const listed = await fs.readdir(dir);
  const typed = (await fs.readdir(`${dir}/a`, { withFileTypes: true })).map((entry) => [entry.name, entry.parentPath, entry.isDirectory()]);
  const tree = await fs.readdir(dir, { recursive: true });
  await fs.rename(`${dir}/a/one.txt`, `${dir}/a/uno.txt`);
  await fs.rename(`${dir}/a/b`, `${dir}/moved`);
  const afterRenames = await fs.readdir(dir, { recursive: true });
  await fs.rmdir(`${dir}/empty`);
  await fs.unlink(`${dir}/a/uno.txt`);
  await fs.rm(`${dir}/moved`, { recursive: true });
  await fs.rm(`${dir}/not-there`, { force: true });
  return {
    firstCreated,
    again: again ?? null,
    listed,
    typed,
    tree,
    afterRenames,
    copied,
    remaining: await fs.readdir(dir, { recursive: true }),
    stats: [(await fs.stat(dir)).isDirectory(), await fs.exists(`${dir}/a`), await fs.exists(`${dir}/moved`)],
  };
}

/** Every error code mpflow/fs documents, each from the call that raises it. */
export async function errors(dir: string) {
  await fs.mkdir(`${dir}/full/sub`, { recursive: true });
  await fs.writeFile(`${dir}/file.txt`, 'x');
  await fs.writeFile(`${dir}/other-file.txt`, 'x');
  const handle = await fs.open(`${dir}/handle.txt`, 'w');
  await handle.write('abc');
  const closed = await fs.open(`${dir}/file.txt`);
  await closed.close();
  const calls: [string, () => Promise<unknown>][] = [
    ['readFile missing', () => fs.readFile(`${dir}/missing`)],
    ['stat missing', () => fs.stat(`${dir}/missing`)],
    ['access missing', () => fs.access(`${dir}/missing`)],
    ['readdir missing', () => fs.readdir(`${dir}/missing`)],
    ['rm missing', () => fs.rm(`${dir}/missing`)],
    ['rename missing', () => fs.rename(`${dir}/missing`, `${dir}/other`)],
    ['copyFile missing', () => fs.copyFile(`${dir}/missing`, `${dir}/other`)],
    ['writeFile into a missing directory', () => fs.writeFile(`${dir}/missing/file.txt`, 'x')],
    ['mkdir under a missing directory', () => fs.mkdir(`${dir}/missing/sub`)],
    ['open missing', () => fs.open(`${dir}/missing`)],
    ['readFile a directory', () => fs.readFile(`${dir}/full`)],
    ['writeFile a directory', () => fs.writeFile(`${dir}/full`, 'x')],
    ['unlink a directory', () => fs.unlink(`${dir}/full`)],
    ['copyFile a directory', () => fs.copyFile(`${dir}/full`, `${dir}/other`)],
    ['rename a file onto a directory', () => fs.rename(`${dir}/file.txt`, `${dir}/full`)],
    ['open a directory', () => fs.open(`${dir}/full`)],
    ['rm a directory', () => fs.rm(`${dir}/full`)],
    ['readdir a file', () => fs.readdir(`${dir}/file.txt`)],
    ['rmdir a file', () => fs.rmdir(`${dir}/file.txt`)],
    ['writeFile under a file', () => fs.writeFile(`${dir}/file.txt/inner`, 'x')],
    ['mkdir under a file', () => fs.mkdir(`${dir}/file.txt/sub`)],
    ['rename a directory onto a file', () => fs.rename(`${dir}/full`, `${dir}/file.txt`)],
    ['rmdir a non-empty directory', () => fs.rmdir(`${dir}/full`)],
    ['mkdir existing', () => fs.mkdir(`${dir}/full`)],
    ['mkdir over a file', () => fs.mkdir(`${dir}/file.txt`, { recursive: true })],
    ['writeFile wx existing', () => fs.writeFile(`${dir}/file.txt`, 'y', { flag: 'wx' })],
    ['copyFile COPYFILE_EXCL existing', () => fs.copyFile(`${dir}/other-file.txt`, `${dir}/file.txt`, fs.constants.COPYFILE_EXCL)],
    ['open wx existing', () => fs.open(`${dir}/file.txt`, 'wx')],
    ['createWriteStream wx existing', async () => await fs.createWriteStream(`${dir}/file.txt`, { flags: 'wx' }).end('y')],
    ['rename a directory into itself', () => fs.rename(`${dir}/full`, `${dir}/full/sub/inner`)],
    ['rm the storage root', () => fs.rm('.', { recursive: true })],
    ['write before the end of a handle', () => handle.write('z', 0)],
    ['read a closed handle', () => closed.read()],
    ['an absolute path', () => fs.readFile('/etc/passwd')],
    ['a path above the root', () => fs.readFile(`${dir}/../../outside`)],
    ['open read-write', () => fs.open(`${dir}/file.txt`, 'r+' as 'r')],
  ];
  const seen: [string, string, string][] = [];
  for (const [name, call] of calls) {
    try {
      await call();
      seen.push([name, 'no error', '']);
    } catch (error) {
      seen.push([name, (error as { code: string }).code, (error as Error).message]);
    }
  }
  await handle.close();
  return seen;
}

/** What a writer of a stream wrote: bytes, and their checksum. */
export interface Written {
  bytesWritten: number;
  checksum: string;
}

/** Writes in the promise style, the same in the main program and in a task: `await out.write(chunk)` (one buffer, reused), `await out.end()`. */
export async function writeAwaitingEachChunk(path: string, megabytes: number): Promise<Written> {
  const chunk = new Uint8Array(1024 * 1024);
  const out = fs.createWriteStream(path);
  const written = new Checksum();
  for (let i = 0; i < megabytes; i++) {
    fill(chunk, i);
    written.add(chunk);
    await out.write(chunk);
  }
  await out.end();
  return { bytesWritten: out.bytesWritten, checksum: written.value };
}

/**
 * Writes `megabytes` through a write stream in 1 MiB chunks (by `write`), then reads them back
 * through a read stream in ranges of `readMegabytes`.
 */
export async function streams(path: string, megabytes: number, readMegabytes = 1, write = writeAwaitingEachChunk) {
  const { bytesWritten, checksum } = await write(path, megabytes);
  const read = new Checksum();
  let bytesRead = 0;
  let chunks = 0;
  for await (const bytes of fs.createReadStream(path, { highWaterMark: readMegabytes * 1024 * 1024 })) {
    read.add(bytes);
    bytesRead += bytes.length;
    chunks++;
  }
  const ranged: number[] = [];
  for await (const bytes of fs.createReadStream(path, { start: 1024 * 1024 - 2, end: 1024 * 1024 + 1 })) ranged.push(...bytes);
  return { bytesWritten, bytesRead, chunks, checksumsMatch: read.value === checksum, size: (await fs.stat(path)).size, ranged };
}

/** Chunk `i` of a stream: bytes that differ from chunk to chunk and within one. */
export function fill(chunk: Uint8Array, i: number): void {
  for (let j = 0; j < chunk.length; j += 4096) chunk.fill((i * 31 + j / 4096) % 251, j, j + 4096);
}

/** A checksum of every 97th byte and its offset, the same however the bytes are split into chunks. */
export class Checksum {
  #hash = 0;
  #offset = 0;

  add(bytes: Uint8Array): void {
    for (let j = (97 - (this.#offset % 97)) % 97; j < bytes.length; j += 97) this.#hash = (Math.imul(this.#hash, 31) + bytes[j] + ((this.#offset + j) & 0xffff)) | 0;
    this.#offset += bytes.length;
  }

  get value(): string {
    return `${this.#hash}/${this.#offset}`;
  }
}
