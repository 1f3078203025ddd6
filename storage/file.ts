/**
 * Storage in a local directory. Writes go to a temporary file under `.mpflow-uploads/` and are
 * renamed into place, so a file is replaced whole (as an S3 object is) and a write in progress
 * can be continued from any process of the run.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { DirEntry, FileInfo, FileOp, Upload } from '../mp-shim/transport.js';
import { sortEntries, storageError, type Storage } from './storage.js';

const UPLOADS_DIR = '.mpflow-uploads';

export class FileStorage implements Storage {
  readonly #uploads: string;
  #rootReady?: Promise<unknown>;

  constructor(readonly root: string) {
    this.#uploads = join(root, UPLOADS_DIR);
  }

  async 'file.read'({ path, start, end }: FileOp<'file.read'>): Promise<Uint8Array> {
    await this.#ready();
    if (start === undefined) return bytesOf(await fs.readFile(this.#abs(path)));
    const length = Math.max((end ?? Number.MAX_SAFE_INTEGER) - start, 0);
    const handle = await fs.open(this.#abs(path), 'r');
    try {
      const size = Math.min(length, Math.max((await handle.stat()).size - start, 0));
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, start);
      return bytesOf(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }

  async 'file.write'({ path, bytes, exclusive }: FileOp<'file.write'>): Promise<null> {
    const temporary = await this.#temporary(randomUUID());
    await fs.writeFile(temporary, bytes);
    await this.#publish(temporary, path, exclusive);
    return null;
  }

  async 'file.append'({ path, bytes }: FileOp<'file.append'>): Promise<null> {
    await this.#ready();
    await fs.appendFile(this.#abs(path), bytes);
    return null;
  }

  async 'file.stat'({ path }: FileOp<'file.stat'>): Promise<FileInfo> {
    await this.#ready();
    return info(await fs.stat(this.#abs(path)));
  }

  async 'file.list'({ path, recursive }: FileOp<'file.list'>): Promise<DirEntry[]> {
    await this.#ready();
    const entries = await fs.readdir(this.#abs(path), { withFileTypes: true, recursive });
    const listed: DirEntry[] = [];
    for (const entry of entries) {
      const parent = relative(this.root, entry.parentPath);
      if (parent === UPLOADS_DIR || parent.startsWith(`${UPLOADS_DIR}/`) || (parent === '' && entry.name === UPLOADS_DIR)) continue;
      listed.push({ name: entry.name, parent, kind: entry.isDirectory() ? 'directory' : 'file' });
    }
    return sortEntries(listed);
  }

  async 'file.mkdir'({ path, recursive }: FileOp<'file.mkdir'>): Promise<string | null> {
    await this.#ready();
    const created = await fs.mkdir(this.#abs(path), { recursive });
    return created === undefined ? null : relative(this.root, created);
  }

  async 'file.remove'({ path, how, recursive, force }: FileOp<'file.remove'>): Promise<null> {
    await this.#ready();
    const absolute = this.#abs(path);
    if (how === 'unlink') await fs.unlink(absolute);
    else if (how === 'rmdir') await fs.rmdir(absolute);
    else await fs.rm(absolute, { recursive, force });
    return null;
  }

  async 'file.rename'({ from, to }: FileOp<'file.rename'>): Promise<null> {
    await this.#ready();
    await fs.rename(this.#abs(from), this.#abs(to));
    return null;
  }

  async 'file.copy'({ from, to, exclusive }: FileOp<'file.copy'>): Promise<null> {
    await this.#ready();
    await fs.copyFile(this.#abs(from), this.#abs(to), exclusive ? fs.constants.COPYFILE_EXCL : 0);
    return null;
  }

  async 'upload.start'({ path, exclusive, append }: FileOp<'upload.start'>): Promise<Upload> {
    await this.#ready();
    const existing = await statOrUndefined(this.#abs(path));
    if (existing?.isDirectory()) throw storageError('EISDIR');
    if (existing && exclusive) throw storageError('EEXIST');
    if (!existing) await requireDirectory(dirname(this.#abs(path)));
    const uploadId = randomUUID();
    const temporary = await this.#temporary(uploadId);
    if (append && existing) await fs.copyFile(this.#abs(path), temporary);
    else await fs.writeFile(temporary, new Uint8Array(0));
    return { uploadId, parts: [], size: append && existing ? existing.size : 0, carried: new Uint8Array(0) };
  }

  async 'upload.part'({ uploadId, offset, bytes }: FileOp<'upload.part'>): Promise<string> {
    const handle = await fs.open(this.#upload(uploadId), 'r+');
    try {
      await handle.write(bytes, 0, bytes.length, offset);
    } finally {
      await handle.close();
    }
    return '';
  }

  async 'upload.complete'({ path, uploadId, exclusive }: FileOp<'upload.complete'>): Promise<null> {
    await this.#publish(this.#upload(uploadId), path, exclusive);
    return null;
  }

  async 'upload.abort'({ uploadId }: FileOp<'upload.abort'>): Promise<null> {
    await fs.rm(this.#upload(uploadId), { force: true });
    return null;
  }

  /** Moves a finished temporary file to `path`; exclusive fails when `path` exists (a hard link never replaces). */
  async #publish(temporary: string, path: string, exclusive: boolean): Promise<void> {
    try {
      if (exclusive) {
        await fs.link(temporary, this.#abs(path));
        await fs.unlink(temporary);
      } else {
        await fs.rename(temporary, this.#abs(path));
      }
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  async #temporary(uploadId: string): Promise<string> {
    await this.#ready();
    await fs.mkdir(this.#uploads, { recursive: true });
    return this.#upload(uploadId);
  }

  #upload(uploadId: string): string {
    return join(this.#uploads, uploadId);
  }

  #abs(path: string): string {
    return join(this.root, path);
  }

  /** The root is created on first use, so a fresh state dir works. */
  #ready(): Promise<unknown> {
    this.#rootReady ??= fs.mkdir(this.root, { recursive: true });
    return this.#rootReady;
  }
}


function info(stats: import('node:fs').Stats): FileInfo {
  const directory = stats.isDirectory();
  return { kind: directory ? 'directory' : 'file', size: directory ? 0 : stats.size, mtimeMs: stats.mtimeMs };
}

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

async function statOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function requireDirectory(path: string): Promise<void> {
  if (!(await fs.stat(path)).isDirectory()) throw storageError('ENOTDIR');
}
