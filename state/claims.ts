/**
 * Claims: bytes too large for where they must travel (workflow history, a Lambda request or
 * response) kept aside and addressed by the SHA-256 of their content. In Redis they expire
 * after a TTL that each read renews.
 */
import { createHash } from 'node:crypto';
import { ProcessError } from '../mp-shim/errors.js';
import type { StoreCore } from './core.js';
import { claimKey } from './keys.js';

const CLAIM_TTL_MS = 7 * 24 * 3_600_000;

/** Where claimed bytes are kept, by the SHA-256 of their content. */
export interface ClaimStore {
  /** Shown when a claim is missing. */
  readonly name: string;
  put(digest: string, bytes: Uint8Array): Promise<void>;
  get(digest: string): Promise<Uint8Array | null>;
}

/** Keeps `bytes` in `claims`; returns the digest that fetches them. */
export async function keepClaim(claims: ClaimStore, bytes: Uint8Array): Promise<string> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  await claims.put(digest, bytes);
  return digest;
}

/** The bytes of claim `digest`; `what` names them in the error when they are gone. */
export async function fetchClaim(claims: ClaimStore, digest: string, what: string): Promise<Uint8Array> {
  const bytes = await claims.get(digest);
  if (!bytes) throw new ProcessError(`${what} (claim ${digest}) is no longer in ${claims.name}: it expired or was removed`);
  return bytes;
}

export class RedisClaims implements ClaimStore {
  readonly name = 'Redis';

  constructor(private readonly core: StoreCore) {}

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    await this.core.redis.set(claimKey(digest), Buffer.from(this.core.seal(bytes, false)), 'PX', CLAIM_TTL_MS);
  }

  async get(digest: string): Promise<Uint8Array | null> {
    const stored = await this.core.redis.getexBuffer(claimKey(digest), 'PX', CLAIM_TTL_MS);
    return stored && this.core.open(stored);
  }
}
