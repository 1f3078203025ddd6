/**
 * The run's storage, behind mpflow/fs: a local directory (`file:///path`) or an S3 bucket and
 * prefix (`s3://bucket/prefix`). Both implement every storage operation and fail with the
 * same Node codes, so programs behave the same on either.
 */
import { fileURLToPath } from 'node:url';
import { setupProblem, type Reaching } from '../mp-shim/setup-problems.js';
import { ValueError } from '../mp-shim/errors.js';
import { isStorageError } from '../mp-shim/fs/errors.js';
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

/** Runs a storage operation; a failure waiting cannot fix (no credentials, no bucket) is a SetupError naming the fix. */
export async function executeFileOp<K extends FileOpName>(storageUrl: string, op: FileOp<K>): Promise<FileResult<K>> {
  const storage = openStorage(storageUrl);
  try {
    return await (storage[op.op] as (args: FileOp<K>) => Promise<FileResult<K>>).call(storage, op);
  } catch (error) {
    throw setupProblem(error, storageReached(storageUrl)) ?? error;
  }
}

/** Whether the storage can be reached, before a run starts: a SetupError naming the fix if not (an empty storage is fine). */
export async function checkStorage(storageUrl: string): Promise<void> {
  await executeFileOp(storageUrl, { op: 'file.stat', path: '.mpflow-check' }).catch((error: unknown) => {
    if (!isStorageError(error)) throw error;
  });
}

function storageReached(storageUrl: string): Reaching {
  const url = parseStorageUrl(storageUrl);
  if (url.protocol === 'file:') return { what: `file storage ${fileURLToPath(url)}` };
  return {
    what: `S3 storage s3://${url.hostname}${url.pathname}${url.searchParams.has('endpoint') ? ` at ${url.searchParams.get('endpoint')}` : ''}`,
    devEndpoint: ['MPFLOW_S3_ENDPOINT', 'http://127.0.0.1:9399', 'mpflow dev up --s3'],
    ifMissing: `create bucket ${url.hostname}, or choose other storage with --storage or MPFLOW_STORAGE`,
  };
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
