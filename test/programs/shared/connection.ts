/** Pipes: the main-program side of the scenarios test/connection.test.ts runs, one exported function each. */
import { Pipe, Process, wait } from 'mpflow';
import { caught } from '../scenario-helpers.js';
import { t } from './refs.js';

export async function pipePingPong(rounds: number): Promise<number[]> {
  const [mine, theirs] = Pipe();
  const echo = new Process({ target: t.echo, args: [theirs, rounds] });
  echo.start();
  const replies: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await mine.send(i);
    replies.push(await mine.recv<number>());
  }
  await echo.join();
  return replies;
}

export async function pipeEndOfStream() {
  const [reader, writer] = Pipe(false);
  const sender = new Process({ target: t.sendThenClose, args: [writer, ['a', { b: 2 }]] });
  sender.start();
  await sender.join();
  const received = [await reader.recv(), await reader.recv()];
  return { received, third: await caught(() => reader.recv()), again: await caught(() => reader.recv()), readerSends: await caught(() => reader.send(1)), writerReceives: await caught(() => writer.recv()) };
}

export async function pipeBytesPollAndWait() {
  const [a, b] = Pipe();
  const [c, d] = Pipe();
  const before = await a.poll();
  const sender = new Process({ target: t.sendBytesLater, args: [d, 300, new Uint8Array([1, 2, 3])] });
  sender.start();
  const ready = await wait([a, c], 10_000);
  const polled = await c.poll(null);
  const bytes = await c.recvBytes();
  await sender.join();
  await b.sendBytes(new Uint8Array([9, 8, 7, 6]), 1, 2);
  return { before, readyIsC: ready.length === 1 && ready[0] === c, polled, bytes: [...bytes], sliced: [...(await a.recvBytes())] };
}
