/** Chunks launched outside Temporal (the local engine, pool workers) retried by the one policy. */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessError, SetupError } from '../mp-shim/errors.js';
import type { ChunkCall } from '../mp-shim/transport.js';
import type { ComputeBackend, RunContext } from './backend.js';
import { infrastructureRetry, retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Retries a chunk whose backend failed, with backoff; task errors are outcomes and never retried, nor is a SetupError. */
export async function runWithRetries(backend: ComputeBackend, call: ChunkCall, context: RunContext, signal: AbortSignal, policy: RetryPolicy = infrastructureRetry()): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.run(call, context, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof SetupError) throw error;
      if (attempt >= policy.maximumAttempts) {
        throw new ProcessError(`${call.summary} failed ${attempt} times on the compute backend: ${(error as Error).message}`, { cause: error });
      }
      await sleep(retryDelayMs(policy, attempt), undefined, { signal }).catch(() => signal.throwIfAborted());
    }
  }
}
