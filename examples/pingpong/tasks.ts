/** The ends of a ping-pong: the pinger times each round trip, the ponger echoes. */
import type { Connection } from 'mpflow';

/** Sends `rounds` messages of `size` bytes, each after the previous reply; returns each round trip in ms. */
export async function ping(connection: Connection, rounds: number, size = 1): Promise<number[]> {
  const message = new Uint8Array(size);
  const roundTrips: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await connection.sendBytes(message);
    await connection.recvBytes();
    roundTrips.push(performance.now() - start);
  }
  return roundTrips;
}

export async function pong(connection: Connection, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await connection.sendBytes(await connection.recvBytes());
}

/** Receives `count` messages; returns the milliseconds from the first to the last and the bytes received. */
export async function drain(connection: Connection, count: number): Promise<[number, number]> {
  let bytes = (await connection.recvBytes()).length;
  const start = performance.now();
  for (let i = 1; i < count; i++) bytes += (await connection.recvBytes()).length;
  return [performance.now() - start, bytes];
}

export async function flood(connection: Connection, count: number, size: number): Promise<void> {
  const message = new Uint8Array(size).fill(7);
  for (let i = 0; i < count; i++) await connection.sendBytes(message);
}
