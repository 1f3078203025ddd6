/**
 * Streams of mpflow/fs: uploads in parts (a write stream, a handle opened for writing) that
 * become visible whole when they complete, and reads in ranges, one range ahead.
 */
import type { Upload } from '../transport.js';
import { call, fsError, invalidArgument } from './errors.js';
import { storagePath, toBytes, type Data } from './paths.js';

/** Bytes per part of an upload and per range read: S3 wants parts of at least 5 MiB. */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts (or ranges) in flight at once per stream: memory stays within this many parts. */
const PARTS_IN_FLIGHT = 2;
/** Larger `writeFile`s go up in parts, so no single request carries more. */
export const SINGLE_WRITE_MAX_BYTES = 4 * PART_BYTES;
/** What `handle.read()` reads when given no buffer, as Node does. */
export const DEFAULT_READ_BYTES = 16_384;

/**
 * Sequential bytes to a path, sent in parts of PART_BYTES, at most PARTS_IN_FLIGHT at a time.
 * Written bytes are copied into the part being filled, so a caller may reuse its buffer.
 */
export class Uploader {
  #part = new Uint8Array(PART_BYTES);
  #filled = 0;
  #sentBytes: number;
  readonly #tags: string[];
  readonly #inFlight: Promise<void>[] = [];
  #failure: unknown;

  private constructor(
    readonly displayPath: string,
    readonly path: string,
    readonly exclusive: boolean,
    readonly upload: Upload,
  ) {
    this.#sentBytes = upload.size;
    this.#tags = [...upload.parts];
    this.#buffer(upload.carried);
  }

  static async start(displayPath: string, path: string, mode: { exclusive: boolean; append: boolean }): Promise<Uploader> {
    return new Uploader(displayPath, path, mode.exclusive, await call('open', displayPath, { op: 'upload.start', path, ...mode }));
  }

  /** Bytes written so far, including those of the file appended to. */
  get size(): number {
    return this.#sentBytes + this.#filled;
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (let taken = 0; taken < bytes.length; ) {
      taken += this.#buffer(bytes.subarray(taken));
      if (this.#filled === PART_BYTES) await this.#sendPart();
    }
  }

  async complete(): Promise<void> {
    if (this.#filled > 0 || this.#tags.length === 0) await this.#sendPart();
    await Promise.all(this.#inFlight);
    if (this.#failure !== undefined) throw this.#failure;
    await call('open', this.displayPath, { op: 'upload.complete', path: this.path, uploadId: this.upload.uploadId, parts: this.#tags, exclusive: this.exclusive });
  }

  /** Drops what was written; rethrows `reason` when given. */
  async abort(reason?: unknown): Promise<never | void> {
    await Promise.allSettled(this.#inFlight);
    await call('open', this.displayPath, { op: 'upload.abort', path: this.path, uploadId: this.upload.uploadId });
    if (reason !== undefined) throw reason;
  }

  /** Copies what fits of `bytes` into the part being filled; returns how much that was. */
  #buffer(bytes: Uint8Array): number {
    const taken = Math.min(bytes.length, PART_BYTES - this.#filled);
    this.#part.set(bytes.subarray(0, taken), this.#filled);
    this.#filled += taken;
    return taken;
  }

  async #sendPart(): Promise<void> {
    const bytes = this.#part.subarray(0, this.#filled);
    this.#part = new Uint8Array(PART_BYTES);
    this.#filled = 0;
    if (this.#failure !== undefined) throw this.#failure;
    const part = this.#tags.length + 1;
    const offset = this.#sentBytes;
    this.#tags.push('');
    this.#sentBytes += bytes.length;
    const sent = call('open', this.displayPath, { op: 'upload.part', path: this.path, uploadId: this.upload.uploadId, part, offset, bytes }).then(
      (tag) => void (this.#tags[part - 1] = tag),
      (error: unknown) => void (this.#failure ??= error),
    );
    this.#inFlight.push(sent);
    if (this.#inFlight.length >= PARTS_IN_FLIGHT) await this.#inFlight.shift();
    if (this.#failure !== undefined) throw this.#failure;
  }
}

export type WriteFlags = 'w' | 'wx' | 'a' | 'ax';

export function writeMode(flags: string): { exclusive: boolean; append: boolean } {
  if (flags !== 'w' && flags !== 'wx' && flags !== 'a' && flags !== 'ax') {
    throw invalidArgument('flags', flags, "must be 'r', 'w', 'wx', 'a' or 'ax' (object storage has no read-write files)");
  }
  return { exclusive: flags.endsWith('x'), append: flags.startsWith('a') };
}

/**
 * A file written in order, in parts, with bounded memory: nothing is visible at `path`
 * until `end()` completes it; `destroy()` (or any failure) drops it.
 * Promise-based, so it is the same object in tasks and in the workflow sandbox:
 * `for await (const chunk of source) await out.write(chunk); await out.end();`
 */
export class WriteStream {
  bytesWritten = 0;
  readonly #uploader: Promise<Uploader>;
  #settled = false;

  constructor(
    readonly path: string,
    options: { flags?: WriteFlags } = {},
  ) {
    const at = storagePath(path);
    this.#uploader = Uploader.start(path, at, writeMode(options.flags ?? 'w'));
    this.#uploader.catch(() => {});
  }

  async write(chunk: Data | ArrayBufferView): Promise<void> {
    const bytes = toBytes(chunk, 'chunk');
    this.#checkOpen();
    const uploader = await this.#uploader;
    await uploader.write(bytes).catch((error: unknown) => this.#fail(uploader, error));
    this.bytesWritten += bytes.length;
  }

  /** Writes `chunk` if given, then completes the file. */
  async end(chunk?: Data | ArrayBufferView): Promise<void> {
    if (chunk !== undefined) await this.write(chunk);
    this.#checkOpen();
    const uploader = await this.#uploader;
    this.#settled = true;
    await uploader.complete().catch((error: unknown) => this.#fail(uploader, error));
  }

  /** Drops everything written; the file is left as it was. */
  async destroy(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    await (await this.#uploader).abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }

  #checkOpen(): void {
    if (this.#settled) throw fsError('EBADF', 'write', this.path);
  }

  async #fail(uploader: Uploader, error: unknown): Promise<never> {
    this.#settled = true;
    await uploader.abort().catch(() => {});
    throw error;
  }
}

export function createWriteStream(path: string, options?: { flags?: WriteFlags }): WriteStream {
  return new WriteStream(path, options);
}

export interface ReadStreamOptions {
  /** First byte to read. */
  start?: number;
  /** Last byte to read (inclusive, as in Node). */
  end?: number;
  /** Bytes per range read (and per chunk yielded); default 8 MiB. */
  highWaterMark?: number;
}

/** A file's bytes from `start` to `end` (inclusive), read in ranges of `rangeBytes`, one range ahead of the reader. */
export class FileRanges {
  readonly #ahead: Promise<Uint8Array>[] = [];
  #position: number;

  private constructor(
    private readonly displayPath: string,
    private readonly path: string,
    start: number,
    private readonly end: number,
    private readonly rangeBytes: number,
  ) {
    this.#position = start;
    this.#fill();
  }

  static async open(displayPath: string, { start = 0, end = Number.POSITIVE_INFINITY, highWaterMark = PART_BYTES }: ReadStreamOptions): Promise<FileRanges> {
    const path = storagePath(displayPath);
    const info = await call('open', displayPath, { op: 'file.stat', path });
    if (info.kind === 'directory') throw fsError('EISDIR', 'read', displayPath);
    return new FileRanges(displayPath, path, start, Math.min(end + 1, info.size), highWaterMark);
  }

  /** The next range; undefined past the end. */
  async next(): Promise<Uint8Array | undefined> {
    const bytes = await this.#ahead.shift();
    if (!bytes?.length) return undefined;
    this.#fill();
    return bytes;
  }

  #fill(): void {
    while (this.#ahead.length < PARTS_IN_FLIGHT && this.#position < this.end) {
      const start = this.#position;
      this.#position = Math.min(start + this.rangeBytes, this.end);
      const range = call('read', this.displayPath, { op: 'file.read', path: this.path, start, end: this.#position });
      range.catch(() => {});
      this.#ahead.push(range);
    }
  }
}

/** A file read in ranges, one ahead of the consumer: an async iterable of Uint8Array chunks. */
export class ReadStream implements AsyncIterable<Uint8Array> {
  bytesRead = 0;

  constructor(
    readonly path: string,
    private readonly options: ReadStreamOptions = {},
  ) {
    storagePath(path);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const ranges = await FileRanges.open(this.path, this.options);
    for (let bytes; (bytes = await ranges.next()); ) {
      this.bytesRead += bytes.length;
      yield bytes;
    }
  }
}

export function createReadStream(path: string, options?: ReadStreamOptions): ReadStream {
  return new ReadStream(path, options);
}
