/** A run's cost report: what its Lambda invocations used, priced. Sandbox-safe: the workflow puts it in the run's memo. */
import type { RunUsage } from '../../state/usage.js';

export interface Pricing {
  perGbSecond: number;
  perRequest: number;
}

/** AWS Lambda's list prices for x86 in us-east-1 (2026): $0.0000166667 per GB-s, $0.20 per million requests. */
export const LAMBDA_LIST_PRICES: Pricing = { perGbSecond: 0.0000166667, perRequest: 0.0000002 };

export interface CostReport {
  invocations: number;
  billedGbSeconds: number;
  redisCommands: number;
  estimatedUsd: number;
  pricing: Pricing;
}

export function costReport(usage: RunUsage, pricing: Pricing): CostReport {
  const billedGbSeconds = usage.gbMs / 1000;
  return {
    invocations: usage.invocations,
    billedGbSeconds,
    redisCommands: usage.redisCommands,
    estimatedUsd: usage.invocations * pricing.perRequest + billedGbSeconds * pricing.perGbSecond,
    pricing,
  };
}
