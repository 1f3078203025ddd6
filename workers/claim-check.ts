/**
 * Claim check: payloads larger than the threshold are kept in Redis and only a
 * reference enters workflow history, so a map over large arguments never meets
 * Temporal's payload limit. Claims are addressed by content and expire after a
 * TTL that each read renews.
 */
import { createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Redis } from 'ioredis';
import { claimKey } from '../activities/state/keys.js';
import { ProcessError } from '../mp-shim/errors.js';
import { dumps, loads } from '../mp-shim/serialization.js';

const CLAIM_CHECK_THRESHOLD_BYTES = 256 * 1024;
const CLAIM_TTL_MS = 7 * 24 * 3_600_000;
const ENCODING = new TextEncoder().encode('mpflow/claim-check');

export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly redis: Redis,
    private readonly thresholdBytes = CLAIM_CHECK_THRESHOLD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if ((payload.data?.byteLength ?? 0) <= this.thresholdBytes) return payload;
        const stored = dumps({ metadata: payload.metadata ?? {}, data: payload.data });
        const digest = createHash('sha256').update(stored).digest('hex');
        await this.redis.set(claimKey(digest), Buffer.from(stored), 'PX', CLAIM_TTL_MS);
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
        const stored = await this.redis.getexBuffer(claimKey(digest), 'PX', CLAIM_TTL_MS);
        if (!stored) throw new ProcessError(`a large payload (claim ${digest}) is no longer in Redis: it expired or Redis lost it`);
        return loads<Payload>(stored);
      }),
    );
  }
}
