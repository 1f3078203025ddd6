/** The tasks of the fault suite's program: each uses shared state the way a worker process would. */
import type { Barrier, Condition, Connection, Event, ListProxy, Lock, Queue, SharedValue, Semaphore } from 'mpflow';

export function square(x: number): number {
  return x * x;
}

/** Takes `count` items off the queue and logs each (a lost or doubled item shows in the log). */
export async function consume(queue: Queue<number>, count: number, log: ListProxy<number>): Promise<void> {
  for (let i = 0; i < count; i++) await log.append(await queue.get());
}

/** Locked read-modify-write increments of a plain value, under a semaphore too; each takes a while. */
export async function lockedIncrements(lock: Lock, semaphore: Semaphore, value: SharedValue<'i'>, counter: SharedValue<'i'>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await semaphore.acquire();
    await lock.acquire();
    const seen = await value.get();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await value.set(seen + 1);
    await lock.release();
    await semaphore.release();
    await counter.increment();
  }
}

/** Echoes `rounds` messages back, doubled. */
export async function echo(connection: Connection, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await connection.send(2 * (await connection.recv<number>()));
}

/** Waits for the event, tells the condition's owner, then meets the others at the barrier. */
export async function rendezvous(event: Event, condition: Condition, arrived: Queue<string>, barrier: Barrier, name: string): Promise<number> {
  await event.wait();
  await condition.acquire();
  await arrived.put(name);
  await condition.notify();
  await condition.release();
  return barrier.wait();
}
