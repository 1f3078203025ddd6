/** Timeouts as Temporal's TypeScript SDK takes them: milliseconds, or a string like '1.5s' or '2m'. */
import { ValueError } from './errors.js';

export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for `duration`; `undefined` stays `undefined` (wait forever). */
export function toMs(duration: Duration | undefined, name = 'timeout'): number | undefined {
  if (duration === undefined || duration === null) return undefined;
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new ValueError(`${name} must be a non-negative number of milliseconds, got ${duration}`);
    }
    return duration;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(duration);
  if (!match) throw new ValueError(`${name} must be milliseconds or a duration like '1.5s' or '2m', got '${duration}'`);
  return Number(match[1]) * UNIT_MS[match[2]];
}
