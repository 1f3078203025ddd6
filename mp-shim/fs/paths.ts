/** Paths, encodings and bytes as mpflow/fs takes them. */
import { invalidArgument } from './errors.js';

export const constants = { COPYFILE_EXCL: 1, F_OK: 0, R_OK: 4, W_OK: 2 } as const;

export type Encoding = 'utf8' | 'utf-8';
export type Data = string | Uint8Array;
export type EncodingOption = Encoding | { encoding?: Encoding | null } | null | undefined;

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

export function encodingOf(options: EncodingOption): Encoding | undefined {
  const encoding = typeof options === 'string' ? options : options?.encoding ?? undefined;
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') throw invalidArgument('encoding', encoding, "must be 'utf8'");
  return encoding;
}

export function toBytes(data: Data | ArrayBufferView, name = 'data'): Uint8Array {
  // A view made here: in the workflow sandbox, TextEncoder's arrays (and a caller's) may come from
  // the host realm, which the codec would not recognize as bytes.
  const view = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (ArrayBuffer.isView(view)) return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  throw invalidArgument(name, typeof data, 'must be a string or a Uint8Array');
}

export function decoded(bytes: Uint8Array, encoding: Encoding | undefined): Data {
  return encoding ? new TextDecoder().decode(bytes) : bytes;
}
