/**
 * Pipes between processes (CPython: multiprocessing/connection.py): each direction is a
 * Redis list read by one end. Messages carry a tag byte: an object in the codec, raw
 * bytes, or the end of the stream that a `close()` sends.
 */
import { toMs, type Duration } from './duration.js';
import { EOFError, ValueError } from './errors.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { dumps, loads } from './serialization.js';
import { transport } from './transport.js';

const OBJECT = 0;
const BYTES = 1;
const END_OF_STREAM = 2;

export class Connection extends SharedObject {
  #closed = false;

  /** @param inbound the list this end reads; @param outbound the list it writes. */
  constructor(
    private readonly inbound: string | null,
    private readonly outbound: string | null,
  ) {
    super();
  }

  get readable(): boolean {
    return this.inbound !== null;
  }

  get writable(): boolean {
    return this.outbound !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends an object to the other end. */
  send(obj: unknown): Promise<void> {
    return this.#send(OBJECT, dumps(obj, 'the object sent'));
  }

  /** Sends raw bytes, outside the codec (`offset` and `size` select a part). */
  sendBytes(buffer: Uint8Array, offset = 0, size?: number): Promise<void> {
    if (offset < 0 || offset > buffer.length) throw new ValueError(`offset ${offset} is outside the buffer (length ${buffer.length})`);
    const end = size === undefined ? buffer.length : offset + size;
    if (size !== undefined && (size < 0 || end > buffer.length)) throw new ValueError(`size ${size} from offset ${offset} is outside the buffer (length ${buffer.length})`);
    return this.#send(BYTES, buffer.subarray(offset, end));
  }

  /** Receives the next object; waits for one. EOFError when the other end closed and nothing is left. */
  async recv<T = unknown>(): Promise<T> {
    return loads<T>(await this.#recv());
  }

  /** Receives the next message as bytes. */
  recvBytes(): Promise<Uint8Array> {
    return this.#recv();
  }

  /** Whether there is something to read, waiting at most `timeout` (default 0: do not wait; null: forever). */
  async poll(timeout: Duration | null = 0): Promise<boolean> {
    const key = this.#readKey();
    const timeoutMs = timeout === null ? undefined : toMs(timeout);
    return transport().state({ op: 'connection.poll', key, block: timeoutMs !== 0, timeoutMs });
  }

  /** Closes this end; the other end reads what was sent, then gets EOFError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.outbound !== null) await transport().state({ op: 'connection.send', key: this.outbound, message: Uint8Array.of(END_OF_STREAM) });
    this.#closed = true;
  }

  async #send(tag: number, body: Uint8Array): Promise<void> {
    if (this.#closed) throw new ValueError('the connection is closed');
    if (this.outbound === null) throw new ValueError('this end of a one-way pipe cannot send');
    const message = new Uint8Array(body.length + 1);
    message[0] = tag;
    message.set(body, 1);
    await transport().post({ op: 'connection.send', key: this.outbound, message });
  }

  async #recv(): Promise<Uint8Array> {
    const key = this.#readKey();
    const message = (await transport().state({ op: 'connection.recv', key, block: true }))!;
    if (message[0] === END_OF_STREAM) {
      // Leave the end of the stream in place: every later recv sees it too.
      await transport().state({ op: 'connection.send', key, message });
      throw new EOFError('the other end of the pipe was closed');
    }
    // A plain Uint8Array over the message (never Node's Buffer, whose slice() does not copy).
    return new Uint8Array(message.buffer, message.byteOffset + 1, message.byteLength - 1);
  }

  #readKey(): string {
    if (this.#closed) throw new ValueError('the connection is closed');
    if (this.inbound === null) throw new ValueError('this end of a one-way pipe cannot receive');
    return this.inbound;
  }

  /** The list this end reads, for `wait()`. */
  get waitKey(): string {
    return this.#readKey();
  }

  reduce(): Reduced {
    return { kind: 'Connection', state: [this.inbound, this.outbound] };
  }
}

registerShared('Connection', ([inbound, outbound]: [string | null, string | null]) => new Connection(inbound, outbound));

/** A pair of connected ends: both send and receive (`duplex`), or the first receives and the second sends. */
export function Pipe(duplex = true): [Connection, Connection] {
  const runtime = transport();
  const there = runtime.uuid();
  if (!duplex) return [new Connection(there, null), new Connection(null, there)];
  const back = runtime.uuid();
  return [new Connection(there, back), new Connection(back, there)];
}

/** The connections among `objects` that have something to read, waiting at most `timeout` for one. */
export async function wait(objects: Connection[], timeout?: Duration): Promise<Connection[]> {
  const keys = objects.map((connection) => connection.waitKey);
  const timeoutMs = toMs(timeout);
  const ready = await transport().state({ op: 'connection.waitAny', keys, block: timeoutMs !== 0, timeoutMs });
  return objects.filter((_, i) => ready.includes(keys[i]));
}
