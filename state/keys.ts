/**
 * Every Redis key mpflow writes, built here and nowhere else. A run's keys share
 * the hash tag `{runId}` so they live in one cluster slot and go away together.
 */
export const KEY_PREFIX = 'mpflow';

/** The keys of the runs met last: every shared-state operation needs its run's, and a process serves few runs at once. */
const recentRuns = new Map<string, RunKeys>();
const RECENT_RUNS = 64;

export function runKeys(runId: string): RunKeys {
  let keys = recentRuns.get(runId);
  if (!keys) {
    if (recentRuns.size >= RECENT_RUNS) recentRuns.delete(recentRuns.keys().next().value!);
    recentRuns.set(runId, (keys = keysOf(runId)));
  }
  return keys;
}

function keysOf(runId: string) {
  const base = `${KEY_PREFIX}:{${runId}}`;
  return {
    /** Pattern matching every key of the run, for cleanup. */
    all: `${base}:*`,
    /** The state of a shared object: `kind` is its class, `id` its identity. */
    object: (kind: string, id: string) => `${base}:${kind}:${id}`,
    /** A second structure of the same object (a queue's unfinished count, a lock's waiters…). */
    part: (kind: string, id: string, part: string) => `${base}:${kind}:${id}:${part}`,
    /** Prefix of the wake-up lists waiters block on; a script appends the waiter id. */
    wakePrefix: `${base}:wake:`,
    wake: (waiterId: string) => `${base}:wake:${waiterId}`,
    /** What operations answered (a hash by operation), kept so that a repeat answers the same without applying it again. */
    records: (scope: string) => `${base}:records:${scope}`,
    /** Where a blocking get or recv moves the item it got, until the operation records it. */
    held: (identity: string) => `${base}:held:${identity}`,
    /** What the run's invocations cost (Lambda backend): invocations, billedMs, gbMs, redisCommands. */
    usage: `${base}:usage`,
    /** A pool's job queue (queue dispatch): its main key, and the parts tools read (scripts/includes/pool.lua has them all). */
    pool: (poolId: string) => poolKeys(`${base}:pool:${poolId}`),
    /** Where a pool worker running as a Lambda invocation says how it is: starting, running, left, done. */
    lambdaWorker: (poolId: string, slot: number) => `${base}:pool:${poolId}:lambda:${slot}`,
    /** Test and benchmark hooks that count executions (crash-resume). */
    counter: (name: string) => `${base}:counter:${name}`,
  };
}

export type RunKeys = ReturnType<typeof keysOf>;

function poolKeys(pool: string) {
  return {
    pool,
    /** Chunk ids waiting to be claimed. */
    jobs: `${pool}:jobs`,
    /** Running chunks' lease deadlines. */
    leases: `${pool}:leases`,
    /** Outcomes of a job's finished chunks, by chunk index. */
    done: (job: number | string) => `${pool}:done:${job}`,
    /** Waiters collecting a job's outcomes. */
    collectors: (job: number) => `${pool}:collectors:${job}`,
  };
}

/** The records scope of a task chunk's operations: every attempt of the chunk shares it. */
export function chunkRecords(chunkId: string): string {
  return `chunk:${chunkId}`;
}

/**
 * How long a chunk's records outlive its outcome: an attempt still running then (a straggler
 * copy, an attempt whose worker was thought dead) keeps getting its first answers meanwhile.
 */
export const CHUNK_RECORDS_AFTER_OUTCOME_MS = 60_000;

/** What a run's tasks wrote to stdout and stderr: outside the run's keys, so that it outlives the run for `mpflow logs`. */
export function runOutputKey(runId: string): string {
  return `${KEY_PREFIX}:output:{${runId}}`;
}

/** When each of a run's chunks ran, where, and how it ended: outside the run's keys, for `mpflow plot` after the run. */
export function runTimelineKey(runId: string): string {
  return `${KEY_PREFIX}:timeline:{${runId}}`;
}

/** Large payloads kept outside workflow history, addressed by content. */
export function claimKey(digest: string): string {
  return `${KEY_PREFIX}:claim:${digest}`;
}

/**
 * What a run's cleanup by workflow execution `execution` read before it removed the run's keys
 * (its usage), outside them: that cleanup run again (its workflow task failed after it) answers
 * the same, while a later run with the same id reads its own.
 */
export function cleanedRunKey(runId: string, execution: string): string {
  return `${KEY_PREFIX}:cleaned:{${runId}}:${execution}`;
}
