/**
 * Node's errors for mpflow/fs: storage backends fail with a bare code, and the calling function
 * turns it into the error `node:fs` would raise (code, errno, syscall, path, message).
 */
import { transport, type FileOp, type FileOpName, type FileResult } from '../transport.js';


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

export function fsError(code: ErrorCode, syscall: string, path: string, dest?: string): ErrnoException {
  const [errno, description] = DESCRIPTIONS[code];
  const message =
    code === 'ERR_FS_EISDIR'
      ? `Path is a directory: ${syscall} returned EISDIR (is a directory) ${path}`
      : `${code}: ${description}, ${syscall} '${path}'${dest === undefined ? '' : ` -> '${dest}'`}`;
  return Object.assign(new Error(message), { code, errno, syscall, path, ...(dest === undefined ? {} : { dest }) });
}

export function invalidArgument(name: string, value: unknown, why: string): TypeError {
  return Object.assign(new TypeError(`The argument '${name}' ${why}. Received ${JSON.stringify(value)}`), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** Runs a storage operation; a code from storage becomes Node's error for `syscall` on `path`. */
export async function call<K extends FileOpName>(syscall: string, path: string, op: FileOp<K>, dest?: string): Promise<FileResult<K>> {
  try {
    return await transport().file(op);
  } catch (error) {
    throw isStorageError(error) ? fsError(error.code, syscall, path, dest) : error;
  }
}
