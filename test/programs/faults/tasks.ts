/**
 * The tasks of the fault suite's program: each uses shared state the way a worker process would.
 * Each notes when it starts and ends in the fault log (MPFLOW_FAULT_LOG, when set), so the suite
 * can count how often each ran.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import type { Barrier, Condition, Connection, Event, ListProxy, Lock, Queue, SharedValue, Semaphore } from 'mpflow';

async function logged<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  const log = process.env.MPFLOW_FAULT_LOG;
  if (log) appendFileSync(log, `${Date.now()} start ${label}\n`);
  const result = await work();
  if (log) appendFileSync(log, `${Date.now()} end ${label}\n`);
  return result;
}

export function square(x: number): Promise<number> {
  return logged(`square ${x}`, () => x * x);
}

/** Takes `count` items off the queue and logs each (a lost or doubled item shows in the log). */
export function consume(queue: Queue<number>, count: number, log: ListProxy<number>, round: number): Promise<void> {
  return logged(`consume ${round}`, async () => {
    for (let i = 0; i < count; i++) await log.append(await queue.get());
  });
}

/** Locked read-modify-write increments of a plain value, under a semaphore too; each takes a while. */
export function lockedIncrements(lock: Lock, semaphore: Semaphore, value: SharedValue<'i'>, counter: SharedValue<'i'>, times: number, label: string): Promise<void> {
  return logged(`lockedIncrements ${label}`, async () => {
    for (let i = 0; i < times; i++) {
      await semaphore.acquire();
      await lock.acquire();
      const seen = await value.get();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await value.set(seen + 1);
      await lock.release();
      await semaphore.release();
      await counter.increment();
    }
  });
}

/** Echoes `rounds` messages back, doubled. */
export function echo(connection: Connection, rounds: number, round: number): Promise<void> {
  return logged(`echo ${round}`, async () => {
    for (let i = 0; i < rounds; i++) await connection.send(2 * (await connection.recv<number>()));
  });
}

/** Waits for the event, tells the condition's owner, then meets the others at the barrier. */
export function rendezvous(event: Event, condition: Condition, arrived: Queue<string>, barrier: Barrier, name: string, round: number): Promise<number> {
  return logged(`rendezvous ${round} ${name}`, async () => {
    await event.wait();
    await condition.acquire();
    await arrived.put(name);
    await condition.notify();
    await condition.release();
    return barrier.wait();
  });
}

/**
 * Puts `item` and adds 1 to `counter`; the first time it runs (no file at `ranOnce`), its
 * thread then dies before it returns, so the chunk runs again. (`process.exit` would end only
 * the task, with SystemExit: `process.reallyExit`, under it, ends the thread as a crash would.)
 */
export async function putThenDie(queue: Queue<number>, counter: SharedValue<'i'>, item: number, ranOnce: string): Promise<void> {
  await queue.put(item);
  await counter.increment();
  if (!existsSync(ranOnce)) {
    writeFileSync(ranOnce, '');
    (process as unknown as { reallyExit(code: number): never }).reallyExit(1);
  }
}
