/**
 * The run's storage, behind mpflow/fs: a local directory (`file:///path`) or an S3 bucket and
 * prefix (`s3://bucket/prefix`). Both implement every storage operation and fail with the
 * same Node codes, so programs behave the same on either.
 */
import { fileURLToPath } from 'node:url';
import { ValueError } from '../mp-shim/errors.js';
import type { FileOp, FileOpName, FileResult } from '../mp-shim/transport.js';
import { FileStorage } from './file.js';
import { S3Storage, s3Location } from './s3.js';
import type { Storage } from './storage.js';

const opened = new Map<string, Storage>();

/** The storage at `url`, one instance (and S3 client) per URL in this thread. */
export function openStorage(url: string): Storage {
  let storage = opened.get(url);
  if (!storage) {
    storage = createStorage(parseStorageUrl(url));
    opened.set(url, storage);
  }
  return storage;
}

export function executeFileOp<K extends FileOpName>(storageUrl: string, op: FileOp<K>): Promise<FileResult<K>> {
  const storage = openStorage(storageUrl);
  return (storage[op.op] as (args: FileOp<K>) => Promise<FileResult<K>>).call(storage, op);
}

export function parseStorageUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed?.protocol === 'file:' || (parsed?.protocol === 's3:' && parsed.hostname)) return parsed;
  throw new ValueError(`storage must be a file:///absolute/path or s3://bucket/prefix URL, got '${url}'`);
}

function createStorage(url: URL): Storage {
  return url.protocol === 'file:' ? new FileStorage(fileURLToPath(url)) : new S3Storage(s3Location(url));
}
