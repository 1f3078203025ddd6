/**
 * Ping-pong over a Pipe (the study's benchmarks 2 and 3): between the main program and a
 * task, between two tasks, and a one-way flood of large messages.
 */
import { Pipe, Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { ping, pong, drain, flood } = proxyTasks<typeof T>();

/** The task pings, the main program echoes; returns the task's round trips in ms. */
export async function mainToTask(rounds = 1000): Promise<number[]> {
  const [mine, theirs] = Pipe();
  await using pool = new Pool(1);
  const roundTrips = pool.applyAsync(ping, [theirs, rounds]);
  for (let i = 0; i < rounds; i++) await mine.sendBytes(await mine.recvBytes());
  return roundTrips.get();
}

/** One task pings, another echoes; returns the round trips in ms. */
export async function taskToTask(rounds = 1000): Promise<number[]> {
  const [a, b] = Pipe();
  await using pool = new Pool(2);
  const echoing = pool.applyAsync(pong, [b, rounds]);
  const roundTrips = await pool.apply(ping, [a, rounds]);
  await echoing.get();
  return roundTrips;
}

/** One task sends `count` messages of `size` bytes to another; returns [ms, bytes] as the receiver saw them. */
export async function throughput(count = 1000, size = 1024 * 1024): Promise<[number, number]> {
  const [reader, writer] = Pipe(false);
  await using pool = new Pool(2);
  const received = pool.applyAsync(drain, [reader, count]);
  await pool.apply(flood, [writer, count, size]);
  return received.get();
}

export async function main(rounds = 1000): Promise<{ mainToTaskMedianMs: number; taskToTaskMedianMs: number }> {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  return { mainToTaskMedianMs: median(await mainToTask(rounds)), taskToTaskMedianMs: median(await taskToTask(rounds)) };
}
