/** Handles of shared objects travelling through queues, pipes and processes: the main-program side of the scenarios test/connection.test.ts runs, one exported function each. */
import { Event, Lock, Pipe, Process, Queue } from 'mpflow';
import { t } from './refs.js';

export async function handlesTravelEverywhere() {
  const queue = new Queue<Event>();
  const [mine, theirs] = Pipe();
  const event = new Event();
  const lock = new Lock();
  await queue.put(event);
  await mine.send(lock);
  const user = new Process({ target: t.useHandlesFrom, args: [queue, theirs] });
  user.start();
  const acquiredThere = await mine.recv();
  const setThere = await event.wait(10_000);
  await user.join();
  return { acquiredThere, setThere, heldHere: !(await lock.acquire(false)) };
}
