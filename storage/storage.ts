/**
 * What every storage backend of mpflow/fs implements: each storage operation, failing with a
 * bare Node code (`storageError`) that mpflow/fs turns into Node's error, and listings sorted
 * alike.
 */
import type { DirEntry, FileOp, FileOpName, FileResult } from '../mp-shim/transport.js';

export { storageError, type ErrorCode } from '../mp-shim/fs/errors.js';

export type Storage = { [K in FileOpName]: (args: FileOp<K>) => Promise<FileResult<K>> };

/** Entries in the order both backends list them: by path, as strings compare. */
export function sortEntries(entries: DirEntry[]): DirEntry[] {
  const key = (entry: DirEntry) => (entry.parent ? `${entry.parent}/${entry.name}` : entry.name);
  return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
