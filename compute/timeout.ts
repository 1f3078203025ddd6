/** A task's own timeout (`map(…, { timeout })`): the chunk stops and its outcome is a TimeoutError, on every backend alike. */
import { TimeoutError } from '../mp-shim/errors.js';
import { dumps } from '../mp-shim/serialization.js';
import type { ChunkCall } from '../mp-shim/transport.js';

/**
 * Runs `work` with a signal that also aborts when `call` runs past its timeout; a run stopped
 * that way resolves to the TimeoutError outcome instead of failing.
 */
export async function withTaskTimeout(call: ChunkCall, signal: AbortSignal, work: (signal: AbortSignal) => Promise<Uint8Array>): Promise<Uint8Array> {
  const timeout = call.timeoutMs === undefined ? undefined : AbortSignal.timeout(call.timeoutMs);
  try {
    return await work(timeout ? AbortSignal.any([signal, timeout]) : signal);
  } catch (error) {
    if (timeout?.aborted && !signal.aborted) return dumps([false, new TimeoutError(`${call.summary} ran longer than ${call.timeoutMs} ms and was stopped`)]);
    throw error;
  }
}
