/** What mpflow/fs says of an entry, shaped like Node's `fs.Stats` and `fs.Dirent`. */
import type { DirEntry, FileInfo } from '../transport.js';


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
