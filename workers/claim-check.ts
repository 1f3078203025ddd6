/**
 * Claim check: payloads larger than the threshold are kept in Redis (or, with
 * MPFLOW_CLAIM_CHECK=s3://bucket/prefix, in S3, for payloads larger than Redis memory) and only
 * a reference enters workflow history, so a map over large arguments never meets Temporal's
 * payload limit. Claims are addressed by content. In Redis they expire after a TTL that each
 * read renews; in S3 they stay until a lifecycle rule on the prefix removes them.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Redis } from 'ioredis';
import { claimKey } from '../state/keys.js';
import { isMissing, s3Location, type S3Location } from '../storage/s3.js';
import { ProcessError, ValueError } from '../mp-shim/errors.js';
import { dumps, loads } from '../mp-shim/serialization.js';

const CLAIM_CHECK_THRESHOLD_BYTES = 256 * 1024;
const CLAIM_TTL_MS = 7 * 24 * 3_600_000;
const ENCODING = new TextEncoder().encode('mpflow/claim-check');

/** Where claimed payloads are kept, by the SHA-256 of their bytes. */
export interface ClaimStore {
  /** Shown when a claim is missing. */
  readonly name: string;
  put(digest: string, bytes: Uint8Array): Promise<void>;
  get(digest: string): Promise<Uint8Array | null>;
}

/** MPFLOW_CLAIM_CHECK: unset or `redis` keeps claims in the run's Redis; `s3://bucket/prefix` in S3. */
export function claimStore(redis: Redis, configured = process.env.MPFLOW_CLAIM_CHECK): ClaimStore {
  if (!configured || configured === 'redis') return new RedisClaims(redis);
  if (configured.startsWith('s3://')) return new S3Claims(s3Location(new URL(configured)));
  throw new ValueError(`MPFLOW_CLAIM_CHECK must be 'redis' or an s3://bucket/prefix URL, got '${configured}'`);
}

/** Keeps `bytes` in `claims`; returns the digest that fetches them. */
export async function keepClaim(claims: ClaimStore, bytes: Uint8Array): Promise<string> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  await claims.put(digest, bytes);
  return digest;
}

export class RedisClaims implements ClaimStore {
  readonly name = 'Redis';

  constructor(private readonly redis: Redis) {}

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    await this.redis.set(claimKey(digest), Buffer.from(bytes), 'PX', CLAIM_TTL_MS);
  }

  get(digest: string): Promise<Uint8Array | null> {
    return this.redis.getexBuffer(claimKey(digest), 'PX', CLAIM_TTL_MS);
  }
}

class S3Claims implements ClaimStore {
  readonly name: string;

  constructor(private readonly location: S3Location) {
    this.name = `s3://${location.bucket}/${location.prefix}`;
  }

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    await this.location.ready();
    await this.location.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.#key(digest), Body: bytes }));
  }

  async get(digest: string): Promise<Uint8Array | null> {
    try {
      const object = await this.location.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.#key(digest) }));
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  #key(digest: string): string {
    return [this.location.prefix, 'claims', digest].filter(Boolean).join('/');
  }
}

export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly claims: ClaimStore,
    private readonly thresholdBytes = CLAIM_CHECK_THRESHOLD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if ((payload.data?.byteLength ?? 0) <= this.thresholdBytes) return payload;
        const digest = await keepClaim(this.claims, dumps({ metadata: payload.metadata ?? {}, data: payload.data }));
        return { metadata: { encoding: ENCODING }, data: new TextEncoder().encode(digest) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || Buffer.compare(Buffer.from(encoding), Buffer.from(ENCODING)) !== 0) return payload;
        const digest = new TextDecoder().decode(payload.data);
        const stored = await this.claims.get(digest);
        if (!stored) throw new ProcessError(`a large payload (claim ${digest}) is no longer in ${this.claims.name}: it expired or was removed`);
        return loads<Payload>(stored);
      }),
    );
  }
}
