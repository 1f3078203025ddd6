/**
 * What a main program that runs for hours needs, and CPython does not (its main program lives
 * as long as its process): checkpoints and durable sleeps. A durable main program's history
 * grows with each of its operations, and Temporal ends a run whose history outgrows the
 * server's limits; a checkpoint carries a long program on in a fresh run instead.
 */
import { toMs, type Duration } from './duration.js';
import { openPools } from './pool/pool.js';
import { childrenTiedToRun } from './process.js';
import { transport } from './transport.js';

/**
 * Under the durable engine, once the run's history is large enough, ends this run and carries
 * on with `main(...args)` in a fresh run of the same workflow; otherwise returns at once. Call
 * it where the main program could start over from `args`, such as the end of a loop iteration.
 * Shared objects in `args` are the same objects in the next run, and so are started processes:
 * they run on through the checkpoint. The run's open pools are closed and their work finished
 * first.
 */
export async function checkpoint(...args: unknown[]): Promise<void> {
  await transport().checkpoint(args, async () => {
    const running = childrenTiedToRun();
    if (running.length > 0) return running;
    // A worker leaving while the run ends would fail the workflow task that ends it.
    await Promise.all([...openPools()].map(async (pool) => (pool.close(), await pool.join(), await pool.workersLeft())));
    return [];
  });
}

/** Waits `duration`; in a durable main program on a timer that fires on time across worker restarts and checkpoints. */
export async function sleep(duration: Duration): Promise<void> {
  await transport().sleep(toMs(duration, 'duration') ?? 0);
}
