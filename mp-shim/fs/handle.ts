/** File handles of mpflow/fs (`open`): positional reads, sequential writes, `await using`. */
import type { FileInfo } from '../transport.js';
import { call, fsError } from './errors.js';
import { decoded, encodingOf, storagePath, toBytes, type Data, type Encoding, type EncodingOption } from './paths.js';
import { Stats } from './stats.js';
import { DEFAULT_READ_BYTES, Uploader, writeMode, type WriteFlags } from './streams.js';


export interface ReadResult {
  bytesRead: number;
  buffer: Uint8Array;
}

/**
 * An open file: 'r' reads anywhere (each read a range request); 'w', 'wx', 'a', 'ax' write
 * sequentially, and the file appears when the handle is closed.
 */
export class FileHandle {
  #position = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    readonly flags: string,
    readonly at: string,
    readonly info: FileInfo | undefined,
    readonly uploader: Uploader | undefined,
  ) {}

  static async open(path: string, flags = 'r'): Promise<FileHandle> {
    const at = storagePath(path);
    if (flags !== 'r') return new FileHandle(path, flags, at, undefined, await Uploader.start(path, at, writeMode(flags)));
    const info = await call('open', path, { op: 'file.stat', path: at });
    if (info.kind === 'directory') throw fsError('EISDIR', 'open', path);
    return new FileHandle(path, flags, at, info, undefined);
  }

  /** Node's `read(buffer, offset, length, position)`, or `read({ buffer, offset, length, position })`. */
  async read(buffer?: Uint8Array | { buffer?: Uint8Array; offset?: number; length?: number; position?: number | null }, offset?: number, length?: number, position?: number | null): Promise<ReadResult> {
    if (buffer !== undefined && !(buffer instanceof Uint8Array)) return this.read(buffer.buffer, buffer.offset, buffer.length, buffer.position);
    const info = this.#readable('read');
    const target = buffer ?? new Uint8Array(DEFAULT_READ_BYTES);
    const from = offset ?? 0;
    const wanted = length ?? target.length - from;
    const start = position ?? this.#position;
    const end = Math.min(start + wanted, info.size);
    const bytes = start < end ? await call('read', this.path, { op: 'file.read', path: this.at, start, end }) : new Uint8Array(0);
    target.set(bytes, from);
    if (position === undefined || position === null) this.#position += bytes.length;
    return { bytesRead: bytes.length, buffer: target };
  }

  readFile(options?: null | { encoding?: null }): Promise<Uint8Array>;
  readFile(options: Encoding | { encoding: Encoding }): Promise<string>;
  async readFile(options?: EncodingOption): Promise<Data> {
    const encoding = encodingOf(options);
    const info = this.#readable('read');
    const start = this.#position;
    const bytes = start < info.size ? await call('read', this.path, { op: 'file.read', path: this.at, start, end: info.size }) : new Uint8Array(0);
    this.#position += bytes.length;
    return decoded(bytes, encoding);
  }

  /**
   * Node's `write(buffer, offset?, length?, position?)` or `write(string, position?, encoding?)`.
   * A position other than the end of what was written is ESPIPE: objects are written in order.
   */
  async write(data: Data | ArrayBufferView, offsetOrPosition?: number | null, lengthOrEncoding?: number | Encoding, position?: number | null): Promise<{ bytesWritten: number; buffer: Data }> {
    const uploader = this.#writable('write');
    let bytes: Uint8Array;
    if (typeof data === 'string') {
      bytes = toBytes(data);
      position = offsetOrPosition;
    } else {
      const all = toBytes(data);
      const from = offsetOrPosition ?? 0;
      bytes = all.subarray(from, typeof lengthOrEncoding === 'number' ? from + lengthOrEncoding : undefined);
    }
    if (position !== undefined && position !== null && position !== uploader.size) throw fsError('ESPIPE', 'write', this.path);
    await uploader.write(bytes);
    return { bytesWritten: bytes.length, buffer: data as Data };
  }

  async writeFile(data: Data | ArrayBufferView): Promise<void> {
    await this.#writable('write').write(toBytes(data));
  }

  appendFile = this.writeFile;

  async stat(): Promise<Stats> {
    if (this.#closed) throw fsError('EBADF', 'fstat', this.path);
    if (this.info) return new Stats(this.info);
    return new Stats({ kind: 'file', size: this.uploader!.size, mtimeMs: Date.now() });
  }

  /** Completes what a writing handle wrote; the file appears now. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.uploader?.complete().catch((error: unknown) => this.uploader!.abort(error));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #readable(syscall: string): FileInfo {
    if (this.#closed || !this.info) throw fsError('EBADF', syscall, this.path);
    return this.info;
  }

  #writable(syscall: string): Uploader {
    if (this.#closed || !this.uploader) throw fsError('EBADF', syscall, this.path);
    return this.uploader;
  }
}

/** Opens a file: 'r' (default) to read; 'w', 'wx', 'a' or 'ax' to write. */
export function open(path: string, flags: 'r' | WriteFlags = 'r'): Promise<FileHandle> {
  return FileHandle.open(path, flags);
}

