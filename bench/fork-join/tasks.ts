/** The fork-join task: sleep for `ms`, as the study's `sleep(s)`. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function nap(ms: number): Promise<number> {
  await sleep(ms);
  return ms;
}
