/**
 * Storage in an S3 bucket under a prefix. A directory is a prefix, made explicit by a
 * zero-byte marker object `dir/` (as the S3 console does); each operation checks what S3 cannot
 * enforce (a parent directory exists, a file is not a directory) so errors match the local
 * directory's. Appends are conditional rewrites; renames are copies then deletes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import type { DirEntry, FileInfo, FileOp, Upload } from '../mp-shim/transport.js';
import { sortEntries, storageError, type Storage } from './storage.js';

/** S3's smallest part other than the last: a smaller object appended to is sent again, not copied. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Rounds of read-then-conditional-write an append tries before giving up with EBUSY. */
const APPEND_ATTEMPTS = 100;
const DELETE_BATCH = 1_000;

export interface S3Location {
  client: S3Client;
  bucket: string;
  /** Key prefix without slashes at its ends; '' is the bucket's root. */
  prefix: string;
  /** Resolves once the bucket can be used: on a local server (an endpoint was configured) a missing bucket is created first. */
  ready(): Promise<void>;
}

/**
 * `s3://bucket/prefix`, configured by the URL's query (`endpoint`, `region`, `forcePathStyle`;
 * workers/config.ts fills in the configured ones) and the AWS SDK's own credential chain.
 */
export function s3Location(url: URL): S3Location {
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  const region = url.searchParams.get('region') ?? 'us-east-1';
  const pathStyle = url.searchParams.get('forcePathStyle');
  const client = new S3Client({
    region,
    endpoint,
    // Local servers answer on one host name; AWS itself prefers virtual-hosted buckets.
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    // A local server accepts any keys; without these the SDK would look for an instance role. AWS_ACCESS_KEY_ID
    // is the SDK's own variable (its credential chain reads it), looked at here only to know whether it will find keys.
    credentials: endpoint && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'mpflow', secretAccessKey: 'mpflow' } : undefined,
  });
  const bucket = url.hostname;
  let created: Promise<void> | undefined;
  const ready = () => {
    created ??= createBucket(client, bucket).catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
  return { client, bucket, prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''), ready: endpoint === undefined ? () => Promise.resolve() : ready };
}

/** On AWS a missing bucket is the user's to create; on a local server mpflow creates it. */
async function createBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!isMissing(error)) throw error;
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((failed: Error) => {
      if (failed.name !== 'BucketAlreadyOwnedByYou' && failed.name !== 'BucketAlreadyExists') throw failed;
    });
  }
}

export class S3Storage implements Storage {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(readonly location: S3Location) {
    this.#client = location.client;
    this.#bucket = location.bucket;
  }

  async 'file.read'({ path, start, end }: FileOp<'file.read'>): Promise<Uint8Array> {
    await this.#ready();
    if (start !== undefined && end !== undefined && start >= end) return new Uint8Array(0);
    const range = start === undefined ? undefined : `bytes=${start}-${end === undefined ? '' : end - 1}`;
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(path), Range: range }));
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (status(error) === 416) return new Uint8Array(0);
      if (!isMissing(error)) throw error;
      throw storageError((await this.#kind(path)) === 'directory' ? 'EISDIR' : 'ENOENT');
    }
  }

  async 'file.write'({ path, bytes, exclusive }: FileOp<'file.write'>): Promise<null> {
    await this.#ready();
    await this.#requireWritable(path);
    await this.#put(path, bytes, exclusive ? { IfNoneMatch: '*' } : {});
    return null;
  }

  async 'file.append'({ path, bytes }: FileOp<'file.append'>): Promise<null> {
    await this.#ready();
    await this.#requireWritable(path);
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      const current = await this.#getWithTag(path);
      const joined = current ? Buffer.concat([current.bytes, bytes]) : bytes;
      try {
        await this.#put(path, joined, current ? { IfMatch: current.tag } : { IfNoneMatch: '*' });
        return null;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST' && status(error) !== 409) throw error;
        await sleep(5 + Math.random() * 20 * Math.min(attempt, 10));
      }
    }
    throw storageError('EBUSY');
  }

  async 'file.stat'({ path }: FileOp<'file.stat'>): Promise<FileInfo> {
    await this.#ready();
    const found = await this.#stat(path);
    if (!found) throw storageError('ENOENT');
    return found;
  }

  async 'file.list'({ path, recursive }: FileOp<'file.list'>): Promise<DirEntry[]> {
    await this.#ready();
    const prefix = this.#dirPrefix(path);
    const found = new Map<string, DirEntry['kind']>();
    let marked = false;
    for await (const page of this.#pages(prefix, recursive ? undefined : '/')) {
      for (const { Prefix } of page.CommonPrefixes ?? []) found.set(Prefix!.slice(prefix.length, -1), 'directory');
      for (const { Key } of page.Contents ?? []) {
        const below = Key!.slice(prefix.length);
        if (below === '') marked = true;
        const parts = below.split('/');
        const isMarker = below.endsWith('/');
        for (let depth = 1; depth < parts.length; depth++) found.set(parts.slice(0, depth).join('/'), 'directory');
        if (!isMarker && below !== '') found.set(below, 'file');
      }
    }
    if (found.size === 0 && !marked && path !== '') {
      throw storageError((await this.#headFile(path)) ? 'ENOTDIR' : 'ENOENT');
    }
    const entries = [...found].map(([below, kind]) => {
      const slash = below.lastIndexOf('/');
      const parent = slash === -1 ? path : joinPath(path, below.slice(0, slash));
      return { name: below.slice(slash + 1), parent, kind };
    });
    return sortEntries(entries);
  }

  async 'file.mkdir'({ path, recursive }: FileOp<'file.mkdir'>): Promise<string | null> {
    await this.#ready();
    if (!recursive) {
      if (await this.#kind(path)) throw storageError('EEXIST');
      await this.#requireParent(path);
      await this.#put(`${path}/`, new Uint8Array(0));
      return null;
    }
    const target = await this.#kind(path);
    if (target === 'directory') return null;
    if (target === 'file') throw storageError('EEXIST');
    const parts = path.split('/');
    let first = parts.length;
    while (first > 1) {
      const kind = await this.#kind(parts.slice(0, first - 1).join('/'));
      if (kind === 'file') throw storageError('ENOTDIR');
      if (kind === 'directory') break;
      first--;
    }
    for (let depth = first; depth <= parts.length; depth++) await this.#put(`${parts.slice(0, depth).join('/')}/`, new Uint8Array(0));
    return parts.slice(0, first).join('/');
  }

  async 'file.remove'({ path, how, recursive, force }: FileOp<'file.remove'>): Promise<null> {
    await this.#ready();
    const kind = await this.#kind(path);
    if (!kind) {
      if (how === 'rm' && force) return null;
      throw storageError('ENOENT');
    }
    if (kind === 'file') {
      if (how === 'rmdir') throw storageError('ENOTDIR');
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(path) }));
      return null;
    }
    if (how === 'unlink') throw storageError('EISDIR');
    if (how === 'rm' && !recursive) throw storageError('ERR_FS_EISDIR');
    if (how === 'rmdir' && !(await this.#isEmptyDirectory(path))) throw storageError('ENOTEMPTY');
    await this.#deleteAll(this.#dirPrefix(path));
    return null;
  }

  async 'file.rename'({ from, to }: FileOp<'file.rename'>): Promise<null> {
    await this.#ready();
    const source = await this.#kind(from);
    if (!source) throw storageError('ENOENT');
    if (from === to) return null;
    if (source === 'directory' && to.startsWith(`${from}/`)) throw storageError('EINVAL');
    await this.#requireParent(to);
    const target = await this.#kind(to);
    if (source === 'file') {
      if (target === 'directory') throw storageError('EISDIR');
      await this.#copy(this.#key(from), this.#key(to));
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(from) }));
      return null;
    }
    if (target === 'file') throw storageError('ENOTDIR');
    if (target === 'directory' && !(await this.#isEmptyDirectory(to))) throw storageError('ENOTEMPTY');
    const fromPrefix = this.#dirPrefix(from);
    const toPrefix = this.#dirPrefix(to);
    for await (const page of this.#pages(fromPrefix)) {
      await Promise.all((page.Contents ?? []).map(({ Key }) => this.#copy(Key!, toPrefix + Key!.slice(fromPrefix.length))));
    }
    await this.#deleteAll(fromPrefix);
    return null;
  }

  async 'file.copy'({ from, to, exclusive }: FileOp<'file.copy'>): Promise<null> {
    await this.#ready();
    const source = await this.#kind(from);
    if (!source) throw storageError('ENOENT');
    if (source === 'directory') throw storageError('EISDIR');
    await this.#requireParent(to);
    const target = await this.#kind(to);
    if (target === 'directory') throw storageError('EISDIR');
    if (target && exclusive) throw storageError('EEXIST');
    await this.#copy(this.#key(from), this.#key(to));
    return null;
  }

  async 'upload.start'({ path, exclusive, append }: FileOp<'upload.start'>): Promise<Upload> {
    await this.#ready();
    await this.#requireWritable(path);
    const existing = exclusive || append ? await this.#headFile(path) : undefined;
    if (existing && exclusive) throw storageError('EEXIST');
    const key = this.#key(path);
    const { UploadId } = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key }));
    const upload: Upload = { uploadId: UploadId!, parts: [], size: 0, carried: new Uint8Array(0) };
    if (!append || !existing) return upload;
    if (existing.size < MIN_PART_BYTES) return { ...upload, carried: (await this.#getWithTag(path))?.bytes ?? upload.carried };
    const copied = await this.#client.send(
      new UploadPartCopyCommand({ Bucket: this.#bucket, Key: key, UploadId, PartNumber: 1, CopySource: copySource(this.#bucket, key) }),
    );
    return { ...upload, parts: [copied.CopyPartResult!.ETag!], size: existing.size };
  }

  async 'upload.part'({ path, uploadId, part, bytes }: FileOp<'upload.part'>): Promise<string> {
    const sent = await this.#client.send(new UploadPartCommand({ Bucket: this.#bucket, Key: this.#key(path), UploadId: uploadId, PartNumber: part, Body: bytes }));
    return sent.ETag!;
  }

  async 'upload.complete'({ path, uploadId, parts, exclusive }: FileOp<'upload.complete'>): Promise<null> {
    try {
      await this.#client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: this.#key(path),
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
          ...(exclusive ? { IfNoneMatch: '*' } : {}),
        }),
      );
    } catch (error) {
      if (status(error) === 412) throw storageError('EEXIST');
      throw error;
    }
    return null;
  }

  async 'upload.abort'({ path, uploadId }: FileOp<'upload.abort'>): Promise<null> {
    try {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(path), UploadId: uploadId }));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    return null;
  }

  #key(path: string): string {
    return joinPath(this.location.prefix, path);
  }

  /** The prefix of everything inside directory `path` ('' for the root of an unprefixed bucket). */
  #dirPrefix(path: string): string {
    const key = this.#key(path);
    return key === '' ? '' : `${key}/`;
  }

  /** A file, else a directory by its marker, else a directory only implied by keys below it (made by another tool). */
  async #stat(path: string): Promise<FileInfo | undefined> {
    if (path === '') return { kind: 'directory', size: 0, mtimeMs: 0 };
    const [file, marker] = await Promise.all([this.#head(this.#key(path)), this.#head(this.#dirPrefix(path))]);
    if (file) return { kind: 'file', ...file };
    if (marker) return { kind: 'directory', size: 0, mtimeMs: marker.mtimeMs };
    const listed = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#dirPrefix(path), MaxKeys: 1 }));
    return listed.KeyCount ? { kind: 'directory', size: 0, mtimeMs: 0 } : undefined;
  }

  async #kind(path: string): Promise<FileInfo['kind'] | undefined> {
    return (await this.#stat(path))?.kind;
  }

  async #headFile(path: string): Promise<FileInfo | undefined> {
    const file = path === '' ? undefined : await this.#head(this.#key(path));
    return file && { kind: 'file', ...file };
  }

  async #head(key: string): Promise<{ size: number; mtimeMs: number } | undefined> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async #getWithTag(path: string): Promise<{ bytes: Uint8Array; tag: string } | undefined> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(path) }));
      return { bytes: await object.Body!.transformToByteArray(), tag: object.ETag! };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** A conditional put that lost its condition is EEXIST (an exclusive write) for the caller to read. */
  async #put(path: string, bytes: Uint8Array, conditions: { IfNoneMatch?: string; IfMatch?: string } = {}): Promise<void> {
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(path), Body: bytes, ...conditions }));
    } catch (error) {
      if (status(error) === 412) throw storageError('EEXIST');
      throw error;
    }
  }

  async #copy(fromKey: string, toKey: string): Promise<void> {
    await this.#client.send(new CopyObjectCommand({ Bucket: this.#bucket, Key: toKey, CopySource: copySource(this.#bucket, fromKey) }));
  }

  /**
   * A file may be written at `path`: its parent is a directory and it is not one itself. The
   * latter is checked by the directory's marker alone (a LIST per write would cost more than
   * the write): a directory only implied by keys another tool wrote is not seen.
   */
  async #requireWritable(path: string): Promise<void> {
    const [, marker] = await Promise.all([this.#requireParent(path), path === '' ? true : this.#head(this.#dirPrefix(path))]);
    if (marker) throw storageError('EISDIR');
  }

  async #requireParent(path: string): Promise<void> {
    const slash = path.lastIndexOf('/');
    if (slash === -1) return;
    const parent = path.slice(0, slash);
    if (await this.#directoryHasKeys(parent)) return;
    throw storageError((await this.#headFile(parent)) ? 'ENOTDIR' : 'ENOENT');
  }

  /** A directory's marker is found with one HEAD; a directory only implied by keys below it needs a LIST. */
  async #directoryHasKeys(path: string): Promise<boolean> {
    if (path === '') return true;
    if (await this.#head(this.#dirPrefix(path))) return true;
    const listed = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#dirPrefix(path), MaxKeys: 1 }));
    return (listed.KeyCount ?? 0) > 0;
  }

  async #isEmptyDirectory(path: string): Promise<boolean> {
    const listed = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#dirPrefix(path), MaxKeys: 2 }));
    return (listed.Contents ?? []).every(({ Key }) => Key === this.#dirPrefix(path));
  }

  async *#pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async #deleteAll(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const page of this.#pages(prefix)) for (const { Key } of page.Contents ?? []) keys.push(Key!);
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH).map((Key) => ({ Key }));
      await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }));
    }
  }

  #ready(): Promise<void> {
    return this.location.ready();
  }
}

function joinPath(base: string, path: string): string {
  return base && path ? `${base}/${path}` : base || path;
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function isMissing(error: unknown): boolean {
  return status(error) === 404;
}
