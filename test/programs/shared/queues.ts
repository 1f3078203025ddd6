/** Simple and joinable queues: the main-program side of the scenarios test/connection.test.ts runs, one exported function each. */
import { JoinableQueue, Process, Queue, SimpleQueue } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { t, runAll } from './refs.js';

export async function joinableQueueJoins() {
  const queue = new JoinableQueue<number>();
  const done = new Queue<number>();
  for (const i of range(5)) await queue.put(i);
  const consumer = new Process({ target: t.consumeJoinable, args: [queue, 5, done] });
  consumer.start();
  await queue.join();
  const doneWhenJoined = await done.qsize();
  await consumer.join();
  return { doneWhenJoined, tooMany: await caught(() => queue.taskDone()) };
}

export async function simpleQueueRoundTrip() {
  const queue = new SimpleQueue<string>();
  const empty = await queue.empty();
  await queue.put('x');
  return { empty, got: await queue.get(), emptyAfter: await queue.empty() };
}

export async function fifoUnderConcurrentProducers(producers: number, count: number): Promise<boolean> {
  const queue = new Queue<[number, number]>();
  await runAll(range(producers).map((p) => new Process({ target: t.produceTagged, args: [queue, p, count] })));
  const next = new Array(producers).fill(0);
  for (let i = 0; i < producers * count; i++) {
    const [p, n] = await queue.get();
    if (n !== next[p]++) return false;
  }
  return (await queue.qsize()) === 0;
}
