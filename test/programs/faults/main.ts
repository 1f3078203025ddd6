/**
 * The fault suite's program: every shared primitive, used from the main program and from tasks,
 * in rounds that each take a moment, so a fault injected at any time lands in the middle of some
 * operation. Its answer says whether anything was lost, doubled or left held.
 */
import { Barrier, Condition, Event, Lock, Manager, Pipe, Pool, Process, Queue, RawValue, Semaphore, Value, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export async function everyPrimitive(rounds = 3, items = 20) {
  await using manager = await Manager();
  const consumed = await manager.list<number>();
  const shared = await manager.dict<string, number>();
  const counter = await Value('i', 0);
  const plain = await RawValue('i', 0);
  const lock = new Lock();
  const semaphore = new Semaphore(2);
  const queue = new Queue<number>(5);
  // No straggler copies: the suite counts how often each task ran, and a copy would count as a run.
  await using pool = new Pool(3, { speculative: false });
  const summary = { squares: 0, echoes: 0, barrierRounds: 0, arrivals: [] as string[] };
  for (let round = 0; round < rounds; round++) {
    // A queue fed by the main program and drained by a task, with a bounded size so puts wait.
    const draining = pool.applyAsync(t.consume, [queue, items, consumed, round]);
    for (const item of range(items)) await queue.put(round * items + item);
    // Lock, semaphore and atomic increments from two tasks at once.
    const incrementing = pool.starmapAsync(t.lockedIncrements, range(2).map((i) => [lock, semaphore, plain, counter, 5, `${round}.${i}`] as [Lock, Semaphore, typeof plain, typeof counter, number, string]), 1);
    // A pipe between the main program and a process.
    const [mine, theirs] = Pipe();
    const echoer = new Process({ target: t.echo, args: [theirs, 5, round] });
    echoer.start();
    for (const i of range(5)) {
      await mine.send(i);
      summary.echoes += await mine.recv<number>();
    }
    // An event, a condition and a barrier shared by the main program and two processes.
    const event = new Event();
    const condition = new Condition();
    const arrived = new Queue<string>();
    const barrier = new Barrier(3);
    const meeting = range(2).map((i) => new Process({ target: t.rendezvous, args: [event, condition, arrived, barrier, `p${i}`, round] }));
    meeting.forEach((p) => p.start());
    await event.set();
    await condition.acquire();
    await condition.waitFor(async () => (await arrived.qsize()) === 2);
    await condition.release();
    await barrier.wait();
    summary.barrierRounds++;
    for (const p of meeting) await p.join();
    summary.arrivals.push(...[await arrived.get(), await arrived.get()].sort());
    // A map, a dict written from the main program, and the increments waited for.
    summary.squares += (await pool.map(t.square, range(10).map((i) => round * 10 + i))).reduce((a, b) => a + b, 0);
    await shared.set(`round ${round}`, round);
    await counter.increment(10);
    await incrementing.get();
    await draining.get();
    await echoer.join();
  }
  return {
    ...summary,
    consumed: await consumed.slice(),
    lockedIncrements: await plain.get(),
    counter: await counter.get(),
    semaphoreValue: await semaphore.getValue(),
    lockFree: await lock.acquire(false),
    dict: (await shared.items()).sort(),
  };
}

/** A process whose first attempt dies after its operations applied: what its queue and counter hold after the attempt that finishes. */
export async function processRunAgain(ranOnce: string) {
  const queue = new Queue<number>();
  const counter = await Value('i', 0);
  const process = new Process({ target: t.putThenDie, args: [queue, counter, 7, ranOnce] });
  process.start();
  await process.join();
  return { exitCode: process.exitCode, counter: await counter.get(), queued: await queue.qsize(), first: await queue.get() };
}
