/**
 * What the Lambda backend and the function's handler say to each other: the invocation events,
 * the replies, and the marks pool workers leave. Both sides import it; the backend never loads
 * the function-side runtime.
 */
import { dumps } from '../../mp-shim/serialization.js';
import type { PoolWorkerSpec } from '../../mp-shim/transport.js';
import { keepClaim, type ClaimStore } from '../../state/claims.js';
import type { RunContext, ThreadRequest } from '../backend.js';

/** Lambda takes and answers at most 6 MB; base64 takes 4/3 of that. */
export const MAX_INLINE_BYTES = 4 * 1024 * 1024;
/** How long a pool worker's `running` mark outlives its last beat: past it, the backend presumes it dead. */
export const WORKER_MARK_MS = 5_000;

/** What the backend sends for a chunk: `dumps(ThreadRequest)`, base64, or the claim of it in Redis when too large for a request. */
export type ChunkEvent = { request: string } | { claim: string; redisUrl: string };

/** What the backend sends to start a pool worker: `dumps(PoolWorkerStart)`, base64. */
export interface PoolWorkerEvent {
  poolWorker: string;
}

export interface PoolWorkerStart {
  context: RunContext;
  spec: PoolWorkerSpec;
}

/** What the handler answers for a chunk: its `dumps(Outcome)` inline (base64) or claimed in Redis, how long it ran, and the Redis commands it sent. */
export interface ChunkReply {
  outcome?: string;
  claim?: string;
  durationMs: number;
  redisCommands: number;
}

/** The event for a chunk (Lambda takes at most 6 MB); `claims` keeps a larger one. */
export async function chunkEvent(request: ThreadRequest, claims: ClaimStore): Promise<ChunkEvent> {
  const encoded = dumps(request);
  if (encoded.length <= MAX_INLINE_BYTES) return { request: Buffer.from(encoded).toString('base64') };
  return { claim: await keepClaim(claims, encoded), redisUrl: request.context.redisUrl };
}

export function poolWorkerEvent(start: PoolWorkerStart): PoolWorkerEvent {
  return { poolWorker: Buffer.from(dumps(start)).toString('base64') };
}
