/**
 * mpflow/fs streams where Node runs the code (tasks, the local engine's main program): a
 * `stream.Writable` and a `stream.Readable` that behave as `node:fs`'s do ('drain', `end(cb)`,
 * 'finish', 'close', 'error', `stream.pipeline`), over the same parts and ranges as the
 * workflow sandbox's streams. The sandbox's promise style keeps working here: `await
 * out.write(chunk)` may reuse `chunk` at once, and `await out.end()` waits for the file.
 */
import { Readable, Writable } from 'node:stream';
import { storagePath } from './paths.js';
import { FileRanges, PART_BYTES, Uploader, writeMode, type ReadStreamOptions, type WriteFlags } from './streams.js';

type Callback = (error?: Error | null) => void;

/** Written in parts; the file appears at `path`, whole, when 'finish' fires, and not at all if the stream is destroyed first. */
export class WriteStream extends Writable {
  bytesWritten = 0;
  pending = true;
  readonly #uploader: Promise<Uploader>;
  #completed = false;

  constructor(
    readonly path: string,
    { flags = 'w' }: { flags?: WriteFlags } = {},
  ) {
    super({ highWaterMark: PART_BYTES });
    this.#uploader = Uploader.start(path, storagePath(path), writeMode(flags));
    this.#uploader.catch(() => {});
  }

  override _construct(callback: Callback): void {
    this.#uploader.then(() => {
      this.pending = false;
      callback();
      this.emit('ready');
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.#uploader.then((uploader) => uploader.write(chunk)).then(() => {
      this.bytesWritten += chunk.length;
      callback();
    }, callback);
  }

  override _final(callback: Callback): void {
    this.#uploader.then((uploader) => uploader.complete()).then(() => {
      this.#completed = true;
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: Callback): void {
    if (this.#completed) return callback(error);
    this.#uploader.then((uploader) => uploader.abort()).then(() => callback(error), () => callback(error));
  }

  /** Copies a byte chunk: a caller of the promise style reuses its buffer once `write` returns. */
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const copied = chunk instanceof Uint8Array ? Buffer.from(chunk) : chunk;
    return super.write(copied, ...(rest as [BufferEncoding, Callback]));
  }

  /** Node's `end`; what it returns is also awaitable, until 'finish' (or the stream's error). */
  override end(...args: unknown[]): this {
    super.end(...(args as [Callback]));
    const finished = new Promise<void>((resolve, reject) => {
      if (this.errored) return reject(this.errored);
      if (this.writableFinished) return resolve();
      this.once('finish', resolve).once('error', reject);
    });
    finished.catch(() => {});
    Object.defineProperty(this, 'then', { value: finished.then.bind(finished), configurable: true });
    return this;
  }
}

export function createWriteStream(path: string, options?: { flags?: WriteFlags }): WriteStream {
  return new WriteStream(path, options);
}

/** Read in ranges of `highWaterMark` bytes (8 MiB by default), one range ahead of the consumer. */
export class ReadStream extends Readable {
  bytesRead = 0;
  pending = true;
  readonly #options: ReadStreamOptions;
  #ranges?: FileRanges;

  constructor(
    readonly path: string,
    options: ReadStreamOptions = {},
  ) {
    super({ highWaterMark: options.highWaterMark ?? PART_BYTES });
    storagePath(path);
    this.#options = options;
  }

  override _construct(callback: Callback): void {
    FileRanges.open(this.path, this.#options).then((ranges) => {
      this.#ranges = ranges;
      this.pending = false;
      callback();
      this.emit('ready');
    }, callback);
  }

  override _read(): void {
    this.#ranges!.next().then((bytes) => {
      if (!bytes) return void this.push(null);
      this.bytesRead += bytes.length;
      this.push(bytes);
    }, (error: Error) => this.destroy(error));
  }
}

export function createReadStream(path: string, options?: ReadStreamOptions): ReadStream {
  return new ReadStream(path, options);
}
