/**
 * Files for mpflow programs, shaped like `node:fs/promises`, on the run's storage: a local
 * directory (`file://`, the default) or an S3 bucket and prefix (`s3://`). The same calls work
 * in tasks and in the main program: there every call is an activity, and bytes above the
 * claim-check threshold travel by reference. Paths are relative to the storage root.
 *
 * Where object storage cannot be POSIX, both backends behave the same, the S3 way: a write
 * (`writeFile`, a write stream, a handle opened for writing) becomes visible whole when it
 * completes, never torn; handles and streams write sequentially; see the README for the rest.
 */
import { transport, type DirEntry, type FileInfo, type FileOp, type FileOpName, type FileResult, type Upload } from '../transport.js';

/** Bytes per part of an upload and per range read: S3 wants parts of at least 5 MiB. */
const PART_BYTES = 8 * 1024 * 1024;
/** Parts (or ranges) in flight at once per stream: memory stays within this many parts. */
const PARTS_IN_FLIGHT = 2;
/** Larger `writeFile`s go up in parts, so no single request carries more. */
const SINGLE_WRITE_MAX_BYTES = 4 * PART_BYTES;
/** What `handle.read()` reads when given no buffer, as Node does. */
const DEFAULT_READ_BYTES = 16_384;

export const constants = { COPYFILE_EXCL: 1, F_OK: 0, R_OK: 4, W_OK: 2 } as const;

export type Encoding = 'utf8' | 'utf-8';
export type Data = string | Uint8Array;
type EncodingOption = Encoding | { encoding?: Encoding | null } | null | undefined;

// ---- errors -------------------------------------------------------------------------------------

const DESCRIPTIONS = {
  ENOENT: [-2, 'no such file or directory'],
  EEXIST: [-17, 'file already exists'],
  EISDIR: [-21, 'illegal operation on a directory'],
  ENOTDIR: [-20, 'not a directory'],
  ENOTEMPTY: [-39, 'directory not empty'],
  EINVAL: [-22, 'invalid argument'],
  EBUSY: [-16, 'resource busy or locked'],
  EBADF: [-9, 'bad file descriptor'],
  ESPIPE: [-29, 'invalid seek'],
  EACCES: [-13, 'permission denied'],
  EPERM: [-1, 'operation not permitted'],
  ERR_FS_EISDIR: [-21, 'is a directory'],
} as const;

export type ErrorCode = keyof typeof DESCRIPTIONS;

/** Node's error for a failed file-system call: `code`, `errno`, `syscall`, `path` (and `dest`). */
export interface ErrnoException extends Error {
  code: ErrorCode;
  errno: number;
  syscall: string;
  path: string;
  dest?: string;
}

/** What a storage backend throws: just the code, which the calling function turns into Node's error. */
export function storageError(code: ErrorCode): Error & { code: ErrorCode } {
  return Object.assign(new Error(code), { code });
}

export function isStorageError(error: unknown): error is Error & { code: ErrorCode } {
  return error instanceof Error && Object.hasOwn(DESCRIPTIONS, (error as { code?: string }).code ?? '');
}

function fsError(code: ErrorCode, syscall: string, path: string, dest?: string): ErrnoException {
  const [errno, description] = DESCRIPTIONS[code];
  const message =
    code === 'ERR_FS_EISDIR'
      ? `Path is a directory: ${syscall} returned EISDIR (is a directory) ${path}`
      : `${code}: ${description}, ${syscall} '${path}'${dest === undefined ? '' : ` -> '${dest}'`}`;
  return Object.assign(new Error(message), { code, errno, syscall, path, ...(dest === undefined ? {} : { dest }) });
}

function invalidArgument(name: string, value: unknown, why: string): TypeError {
  return Object.assign(new TypeError(`The argument '${name}' ${why}. Received ${JSON.stringify(value)}`), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** Runs a storage operation; a code from storage becomes Node's error for `syscall` on `path`. */
async function call<K extends FileOpName>(syscall: string, path: string, op: FileOp<K>, dest?: string): Promise<FileResult<K>> {
  try {
    return await transport().file(op);
  } catch (error) {
    throw isStorageError(error) ? fsError(error.code, syscall, path, dest) : error;
  }
}

// ---- paths and bytes ----------------------------------------------------------------------------

/**
 * `path` relative to the storage root, normalized ('' is the root). Absolute paths and
 * paths that climb above the root are refused, so no program reaches outside its storage.
 */
export function storagePath(path: string, name = 'path'): string {
  if (typeof path !== 'string') throw invalidArgument(name, path, 'must be a string');
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.includes('\0')) {
    throw invalidArgument(name, path, 'must be a path relative to the storage root');
  }
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) throw invalidArgument(name, path, 'must not lead outside the storage root');
  }
  return parts.join('/');
}

function encodingOf(options: EncodingOption): Encoding | undefined {
  const encoding = typeof options === 'string' ? options : options?.encoding ?? undefined;
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') throw invalidArgument('encoding', encoding, "must be 'utf8'");
  return encoding;
}

function toBytes(data: Data | ArrayBufferView, name = 'data'): Uint8Array {
  // A view made here: in the workflow sandbox, TextEncoder's arrays (and a caller's) may come from
  // the host realm, which the codec would not recognize as bytes.
  const view = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (ArrayBuffer.isView(view)) return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  throw invalidArgument(name, typeof data, 'must be a string or a Uint8Array');
}

function decoded(bytes: Uint8Array, encoding: Encoding | undefined): Data {
  return encoding ? new TextDecoder().decode(bytes) : bytes;
}

// ---- Stats and Dirent ---------------------------------------------------------------------------

/** What Stats and Dirent share: the kind of entry, asked the way Node asks it. */
abstract class EntryKind {
  readonly #kind: FileInfo['kind'];

  constructor(kind: FileInfo['kind']) {
    this.#kind = kind;
  }

  isFile(): boolean {
    return this.#kind === 'file';
  }

  isDirectory(): boolean {
    return this.#kind === 'directory';
  }

  isSymbolicLink(): boolean {
    return false;
  }
}

export class Stats extends EntryKind {
  readonly size: number;
  readonly mtimeMs: number;

  constructor(info: FileInfo) {
    super(info.kind);
    this.size = info.size;
    this.mtimeMs = info.mtimeMs;
  }

  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
}

export class Dirent extends EntryKind {
  readonly name: string;
  /** The entry's directory, relative to the storage root ('.' for the root). */
  readonly parentPath: string;

  constructor(entry: DirEntry) {
    super(entry.kind);
    this.name = entry.name;
    this.parentPath = entry.parent || '.';
  }
}

// ---- whole-file calls ---------------------------------------------------------------------------

export function readFile(path: string, options?: null | { encoding?: null }): Promise<Uint8Array>;
export function readFile(path: string, options: Encoding | { encoding: Encoding }): Promise<string>;
export async function readFile(path: string, options?: EncodingOption): Promise<Data> {
  const encoding = encodingOf(options);
  const at = storagePath(path);
  return decoded(await call('open', path, { op: 'file.read', path: at }), encoding);
}

export interface WriteFileOptions {
  encoding?: Encoding;
  /** 'w' replaces, 'wx' fails with EEXIST when the file exists, 'a' appends. */
  flag?: 'w' | 'wx' | 'a';
}

export async function writeFile(path: string, data: Data | ArrayBufferView, options?: Encoding | WriteFileOptions): Promise<void> {
  encodingOf(options);
  const flag = (typeof options === 'object' && options?.flag) || 'w';
  if (flag === 'a') return appendFile(path, data);
  if (flag !== 'w' && flag !== 'wx') throw invalidArgument('flag', flag, "must be 'w', 'wx' or 'a'");
  const at = storagePath(path);
  const bytes = toBytes(data);
  const exclusive = flag === 'wx';
  if (bytes.length <= SINGLE_WRITE_MAX_BYTES) {
    await call('open', path, { op: 'file.write', path: at, bytes, exclusive });
    return;
  }
  const upload = await Uploader.start(path, at, { exclusive, append: false });
  await upload.write(bytes).then(() => upload.complete(), (error: unknown) => upload.abort(error));
}

/**
 * Appends to a file, creating it. On S3 an append rewrites the object, conditionally on its
 * version, and retries when another writer got in between: concurrent appends all land.
 */
export async function appendFile(path: string, data: Data | ArrayBufferView, options?: Encoding | { encoding?: Encoding }): Promise<void> {
  encodingOf(options);
  await call('open', path, { op: 'file.append', path: storagePath(path), bytes: toBytes(data) });
}

export async function stat(path: string): Promise<Stats> {
  return new Stats(await call('stat', path, { op: 'file.stat', path: storagePath(path) }));
}

export const lstat = stat;

/** Storage has no permissions: `mode` is accepted as Node's, and only existence is checked. */
export async function access(path: string, _mode: number = constants.F_OK): Promise<void> {
  await call('access', path, { op: 'file.stat', path: storagePath(path) });
}

/** True when `path` is a file or a directory. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as ErrnoException).code === 'ENOENT' || (error as ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

export interface ReaddirOptions {
  withFileTypes?: boolean;
  /** Lists the whole tree below: names are paths relative to the listed directory. */
  recursive?: boolean;
}

export function readdir(path: string, options: ReaddirOptions & { withFileTypes: true }): Promise<Dirent[]>;
export function readdir(path?: string, options?: ReaddirOptions & { withFileTypes?: false }): Promise<string[]>;
export async function readdir(path = '.', options: ReaddirOptions = {}): Promise<string[] | Dirent[]> {
  const at = storagePath(path);
  const entries = await call('scandir', path, { op: 'file.list', path: at, recursive: options.recursive ?? false });
  if (options.withFileTypes) return entries.map((entry) => new Dirent(entry));
  const below = at === '' ? 0 : at.length + 1;
  return entries.map((entry) => (entry.parent.length > at.length ? `${entry.parent.slice(below)}/${entry.name}` : entry.name));
}

/** Creates a directory (on S3, a marker object `path/`); recursive returns the first one it created. */
export async function mkdir(path: string, options: { recursive?: boolean } = {}): Promise<string | undefined> {
  const created = await call('mkdir', path, { op: 'file.mkdir', path: storagePath(path), recursive: options.recursive ?? false });
  return created ?? undefined;
}

/** The storage root itself can be listed and written into, never removed or moved. */
function notRoot(syscall: string, path: string, name = 'path'): string {
  const at = storagePath(path, name);
  if (at === '') throw fsError('EBUSY', syscall, path);
  return at;
}

export async function rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
  await call('rm', path, { op: 'file.remove', path: notRoot('rm', path), how: 'rm', recursive: options.recursive ?? false, force: options.force ?? false });
}

export async function unlink(path: string): Promise<void> {
  await call('unlink', path, { op: 'file.remove', path: notRoot('unlink', path), how: 'unlink', recursive: false, force: false });
}

export async function rmdir(path: string): Promise<void> {
  await call('rmdir', path, { op: 'file.remove', path: notRoot('rmdir', path), how: 'rmdir', recursive: false, force: false });
}

/** Moves a file or a directory. On S3 it is a copy then a delete: not atomic, see the README. */
export async function rename(oldPath: string, newPath: string): Promise<void> {
  await call('rename', oldPath, { op: 'file.rename', from: notRoot('rename', oldPath, 'oldPath'), to: notRoot('rename', newPath, 'newPath') }, newPath);
}

/** `mode` `constants.COPYFILE_EXCL` fails with EEXIST when `dest` exists. */
export async function copyFile(src: string, dest: string, mode = 0): Promise<void> {
  const exclusive = (mode & constants.COPYFILE_EXCL) !== 0;
  await call('copyfile', src, { op: 'file.copy', from: storagePath(src, 'src'), to: storagePath(dest, 'dest'), exclusive }, dest);
}

// ---- uploads: streams and handles that write ----------------------------------------------------

/**
 * Sequential bytes to a path, sent in parts of PART_BYTES, at most PARTS_IN_FLIGHT at a time.
 * Written bytes are copied into the part being filled, so a caller may reuse its buffer.
 */
class Uploader {
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

function writeMode(flags: string): { exclusive: boolean; append: boolean } {
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

// ---- reading in ranges --------------------------------------------------------------------------

export interface ReadStreamOptions {
  /** First byte to read. */
  start?: number;
  /** Last byte to read (inclusive, as in Node). */
  end?: number;
  /** Bytes per range read (and per chunk yielded); default 8 MiB. */
  highWaterMark?: number;
}

/** A file read in ranges, one ahead of the consumer: an async iterable of Uint8Array chunks. */
export class ReadStream implements AsyncIterable<Uint8Array> {
  bytesRead = 0;
  readonly #at: string;
  readonly #start: number;
  readonly #end: number;
  readonly #chunkBytes: number;

  constructor(
    readonly path: string,
    { start = 0, end = Number.POSITIVE_INFINITY, highWaterMark = PART_BYTES }: ReadStreamOptions = {},
  ) {
    this.#at = storagePath(path);
    this.#start = start;
    this.#end = end;
    this.#chunkBytes = highWaterMark;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const info = await call('open', this.path, { op: 'file.stat', path: this.#at });
    if (info.kind === 'directory') throw fsError('EISDIR', 'read', this.path);
    const end = Math.min(this.#end + 1, info.size);
    const readAt = (start: number) => call('read', this.path, { op: 'file.read', path: this.#at, start, end: Math.min(start + this.#chunkBytes, end) });
    let position = this.#start;
    const ahead: Promise<Uint8Array>[] = [];
    const fill = () => {
      while (ahead.length < PARTS_IN_FLIGHT && position < end) {
        ahead.push(readAt(position));
        position = Math.min(position + this.#chunkBytes, end);
      }
    };
    fill();
    while (ahead.length) {
      const bytes = await ahead.shift()!;
      if (bytes.length === 0) break;
      fill();
      this.bytesRead += bytes.length;
      yield bytes;
    }
  }
}

export function createReadStream(path: string, options?: ReadStreamOptions): ReadStream {
  return new ReadStream(path, options);
}

// ---- handles ------------------------------------------------------------------------------------

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
