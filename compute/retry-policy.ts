/**
 * The one retry policy for what fails for infrastructure reasons (a worker or thread died, a
 * heartbeat was missed, Redis restarted); task errors are outcomes and never retried. The
 * durable engine hands it to Temporal; the local engine and pool workers follow it themselves.
 * Sandbox-safe: the workflow imports it.
 */

/** In Temporal's shape: the attempts span about 15 s, so a worker's death or a Redis restart is outlived. */
export interface RetryPolicy {
  maximumAttempts: number;
  initialInterval: number;
  backoffCoefficient: number;
  maximumInterval: number;
}

export const DEFAULT_ATTEMPTS = 5;

export function infrastructureRetry(maximumAttempts = DEFAULT_ATTEMPTS): RetryPolicy {
  return { maximumAttempts, initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 10_000 };
}

/** How long to wait after failed attempt `attempt` (1-based) before the next, as Temporal would. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.initialInterval * policy.backoffCoefficient ** (attempt - 1), policy.maximumInterval);
}
