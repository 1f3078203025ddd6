/**
 * Every Redis key mpflow writes, built here and nowhere else. A run's keys share
 * the hash tag `{runId}` so they live in one cluster slot and go away together.
 */
export const KEY_PREFIX = 'mpflow';

export function runKeys(runId: string) {
  const base = `${KEY_PREFIX}:{${runId}}`;
  return {
    /** Pattern matching every key of the run, for cleanup. */
    all: `${base}:*`,
    queueItems: (queueId: string) => `${base}:queue:${queueId}:items`,
    queueNotFull: (queueId: string) => `${base}:queue:${queueId}:notfull`,
    /** Test and benchmark hooks that count executions (crash-resume). */
    counter: (name: string) => `${base}:counter:${name}`,
  };
}

/** Large payloads kept outside workflow history, addressed by content. */
export function claimKey(digest: string): string {
  return `${KEY_PREFIX}:claim:${digest}`;
}
