import { setTimeout as sleep } from 'node:timers/promises';
import { currentProcess, type Connection } from 'mpflow';

export function square(x: number): number {
  return x * x;
}

/** Answers each number it receives with the number doubled and its own name, until it receives null. */
export async function echo(connection: Connection): Promise<void> {
  for (let value = await connection.recv<number | null>(); value !== null; value = await connection.recv<number | null>()) {
    await connection.send([currentProcess().name, 2 * value]);
  }
}

/** Waits `ms`: a process the main program stops before it ends. */
export async function idle(ms: number): Promise<void> {
  await sleep(ms);
}
