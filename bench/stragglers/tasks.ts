/** Sleeps `ms`, or `ms × slowFactor` on the first worker slot: one artificially slow slot. */
import { setTimeout as sleep } from 'node:timers/promises';
import { currentProcess } from 'mpflow';

export async function nap([ms, slowFactor]: [number, number]): Promise<number> {
  await sleep(currentProcess().name === 'PoolWorker-1' ? ms * slowFactor : ms);
  return ms;
}
