/**
 * A program whose data of every kind carries `marker`: the main program's argument and result,
 * task arguments and results, a claim-checked argument, a queue, a pipe, a manager's dict and
 * list. Before it returns, a task looks through all of Redis, bytes as stored, for the marker.
 */
import { Manager, Pipe, Pool, Process, Queue, dumps, fs, proxyTasks, sleep } from 'mpflow';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

export async function main(marker: string, redisUrl: string) {
  const manager = await Manager();
  const dict = await manager.dict<string, string>();
  await dict.set(`${marker}-key`, `${marker}-value`);
  const list = await manager.list<string>([marker]);
  const queue = new Queue<string>();
  await queue.put(`${marker}-queued`);
  const [mine, theirs] = Pipe();
  const echo = new Process({ target: t.echoOnce, args: [theirs] });
  echo.start();
  await mine.send(`${marker}-piped`);
  const echoed = await mine.recv<string>();
  await echo.join();
  await using pool = new Pool(2);
  const large = `${marker} `.repeat(40_000);
  const [fromTask, taken, length] = await Promise.all([pool.apply(t.exclaim, [marker]), pool.apply(t.take, [queue]), pool.apply(t.lengthOf, [large])]);
  const seenInRedis = await pool.apply(t.findInRedis, [redisUrl, marker]);
  return { echoed, fromTask, taken, length, dictValue: await dict.get(`${marker}-key`), listIndex: await list.index(marker), seenInRedis, result: `${marker}-result` };
}

/**
 * A queue holding `secret`, its serialized handle written to file `handlePath` for another run
 * to try; after `holdMs`, what the queue still holds.
 */
export async function queueHolding(secret: string, handlePath: string, holdMs: number): Promise<string> {
  const queue = new Queue<string>();
  await queue.put(secret);
  await fs.writeFile(handlePath, dumps(queue));
  await sleep(holdMs);
  return queue.get(false);
}

/** What a task of this run sees of another run's queue, given its serialized handle. */
export async function peekAtOtherRun(handlePath: string) {
  await using pool = new Pool(1);
  return pool.apply(t.peekAt, [await fs.readFile(handlePath)]);
}

/** An item put by the main program, taken in a task. */
export async function takeInTask(item: string): Promise<string> {
  const queue = new Queue<string>();
  await queue.put(item);
  await using pool = new Pool(1);
  return pool.apply(t.take, [queue]);
}
