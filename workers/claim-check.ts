/**
 * Claim check: payloads larger than the threshold are kept in Redis (or, with
 * MPFLOW_CLAIM_CHECK=s3://bucket/prefix, in S3, for payloads larger than Redis memory) and only
 * a reference enters workflow history, so a map over large arguments never meets Temporal's
 * payload limit. Claims are addressed by content. In Redis they expire after a TTL that each
 * read renews; in S3 they stay until a lifecycle rule on the prefix removes them.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { dumps, loads } from '../mp-shim/serialization.js';
import { fetchClaim, keepClaim, type ClaimStore } from '../state/claims.js';
import type { RedisStore } from '../state/store.js';
import { isMissing, s3Location, type S3Location } from '../storage/s3.js';
import { storageUrl, type Config } from './config.js';

const CLAIM_CHECK_THRESHOLD_BYTES = 256 * 1024;
export const CLAIM_CHECK_ENCODING = new TextEncoder().encode('mpflow/claim-check');
/** The claimed payload's size, on the reference, for the Web UI's codec server to show. */
export const CLAIM_BYTES_KEY = 'claim-bytes';

/** MPFLOW_CLAIM_CHECK: `redis` keeps claims in the run's Redis; `s3://bucket/prefix` in S3. */
export function claimStore(config: Config, store: RedisStore): ClaimStore {
  if (config.claimCheck === 'redis') return store.claims;
  return new S3Claims(s3Location(new URL(storageUrl(config, config.claimCheck))));
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
        return { metadata: { encoding: CLAIM_CHECK_ENCODING, [CLAIM_BYTES_KEY]: new TextEncoder().encode(String(payload.data!.byteLength)) }, data: new TextEncoder().encode(digest) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || Buffer.compare(Buffer.from(encoding), Buffer.from(CLAIM_CHECK_ENCODING)) !== 0) return payload;
        const digest = new TextDecoder().decode(payload.data);
        return loads<Payload>(await fetchClaim(this.claims, digest, 'a large payload'));
      }),
    );
  }
}
