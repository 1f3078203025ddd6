/** A task that counts its own executions in Redis, so a test can tell which chunks ran twice. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { runKeys } from '../../../state/keys.js';

let redis: Redis | undefined;

export async function countedNap([runTag, index, ms]: [string, number, number]): Promise<number> {
  redis ??= new Redis(process.env.MPFLOW_REDIS_URL!).on('error', () => {}); // a Redis restart is part of the test
  await redis.incr(runKeys(runTag).counter(`runs:${index}`));
  await sleep(ms);
  return index * 2;
}
