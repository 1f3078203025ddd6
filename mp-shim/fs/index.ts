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
import { call, fsError, invalidArgument, type ErrnoException } from './errors.js';
import { FileHandle, open } from './handle.js';
import { constants, decoded, encodingOf, storagePath, toBytes, type Data, type Encoding, type EncodingOption } from './paths.js';
import { Dirent, Stats } from './stats.js';
import { createReadStream, createWriteStream, ReadStream, SINGLE_WRITE_MAX_BYTES, Uploader, WriteStream } from './streams.js';

export { constants } from './paths.js';
export type { Data, Encoding } from './paths.js';
export type { ErrnoException } from './errors.js';
export type { ReadResult } from './handle.js';
export type { ReadStreamOptions, WriteFlags } from './streams.js';
export { createReadStream, createWriteStream, Dirent, FileHandle, open, ReadStream, Stats, WriteStream };

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
