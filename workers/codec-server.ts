/**
 * A codec server for Temporal's Web UI (the remote codec protocol: `POST /decode`, `POST
 * /encode`): payloads in mpflow's encoding come back as JSON, so a run's input and result,
 * activity arguments, state operations' answers and errors read as values, not as base64 of
 * MessagePack. Encrypted payloads are opened when the server has the key; claim-checked ones
 * are described by their size and digest, never fetched.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import { dumps, loads } from '../mp-shim/serialization.js';
import { SharedObject } from '../mp-shim/reduction.js';
import '../mp-shim/index.js'; // registers every shared-object kind, so references to them decode
import { CLAIM_BYTES_KEY, CLAIM_CHECK_ENCODING } from './claim-check.js';
import { EncryptionCodec } from './encryption-codec.js';
import type { ValueCipher } from '../state/cipher.js';

const MPFLOW_ENCODING = 'binary/msgpack-mpflow';
const JSON_ENCODING = 'json/plain';
/** Fields whose bytes are themselves mpflow-encoded values (task arguments, queue items, dict fields…). */
const ENCODED_FIELDS = new Set(['items', 'item', 'message', 'field', 'value', 'values', 'entries', 'initargs']);
const SHOWN_BYTES = 32;

/** The JSON form of a payload the UI shows; other encodings pass as they are. */
export async function decodeForDisplay(payload: Payload, encryption: EncryptionCodec): Promise<Payload> {
  const encoding = text(payload.metadata?.encoding);
  if (encoding === 'binary/encrypted') {
    try {
      [payload] = await encryption.decode([payload]);
    } catch (error) {
      return json({ encrypted: (error as Error).message });
    }
    return decodeForDisplay(payload, encryption);
  }
  if (encoding === text(CLAIM_CHECK_ENCODING)) {
    const bytes = Number(text(payload.metadata?.[CLAIM_BYTES_KEY]) || NaN);
    return json(`‹claim-checked payload${Number.isFinite(bytes) ? ` of ${size(bytes)}` : ''}, digest ${text(payload.data).slice(0, 12)}…›`);
  }
  if (encoding !== MPFLOW_ENCODING) return payload;
  try {
    return json(displayable(loads(payload.data ?? new Uint8Array())));
  } catch (error) {
    return json(`‹${size(payload.data?.byteLength ?? 0)} that did not decode here: ${(error as Error).message}›`);
  }
}

/** A value as JSON can carry it: bigint as `123n`, bytes summarised (or decoded where a field holds an encoded value), shared objects by kind and state. */
export function displayable(value: unknown, field?: string): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) {
    if (field && ENCODED_FIELDS.has(field)) {
      try {
        return displayable(loads(value));
      } catch {
        // Not an encoded value after all: shown as bytes.
      }
    }
    return value.length <= SHOWN_BYTES ? `‹${value.length} bytes: ${Buffer.from(value).toString('hex')}›` : `‹${size(value.length)}›`;
  }
  if (ArrayBuffer.isView(value)) return `‹${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})›`;
  if (value instanceof SharedObject) {
    const { kind, state } = value.reduce();
    return { [`‹${kind}›`]: displayable(state) };
  }
  if (value instanceof Error) return { error: value.name, message: value.message, ...(value.stack && { stack: value.stack }) };
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return { '‹Map›': [...value].map(([k, v]) => [displayable(k), displayable(v)]) };
  if (value instanceof Set) return { '‹Set›': [...value].map((item) => displayable(item)) };
  if (Array.isArray(value)) return value.map((item) => displayable(item, field));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, displayable(item, key)]));
}

/** What the UI sends (a signal's or a query's arguments, typed as JSON) in mpflow's encoding. */
export async function encodeFromDisplay(payload: Payload, encryption: EncryptionCodec): Promise<Payload> {
  if (text(payload.metadata?.encoding) !== JSON_ENCODING) return payload;
  const encoded = { metadata: { encoding: new TextEncoder().encode(MPFLOW_ENCODING) }, data: dumps(JSON.parse(text(payload.data))) };
  return (await encryption.encode([encoded]))[0];
}

export interface CodecServerOptions {
  cipher?: ValueCipher;
  /** The Web UI's origin, allowed to call from the browser (CORS); `*` when unset. */
  origin?: string;
}

/** The codec server; `listen` it where the UI's `--ui-codec-endpoint` (or its "Codec Server" setting) points. */
export function codecServer({ cipher, origin = '*' }: CodecServerOptions = {}): Server {
  const encryption = new EncryptionCodec(cipher);
  return createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    // The UI adds query parameters (`/decode?preserveStorageRefs=true`).
    const path = new URL(request.url ?? '/', 'http://codec').pathname;
    const transform = request.method === 'POST' && { '/decode': decodeForDisplay, '/encode': encodeFromDisplay }[path];
    if (!transform) return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('mpflow codec server: POST /decode or /encode\n');
    answer(request, response, (payloads) => Promise.all(payloads.map((payload) => transform(payload, encryption)))).catch((error: Error) =>
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end(`mpflow codec server: ${error.message}\n`),
    );
  });
}

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Reads `{ payloads: [...] }` (metadata values and data in base64, as the protocol has them), answers with the transformed payloads. */
async function answer(request: IncomingMessage, response: ServerResponse, transform: (payloads: Payload[]) => Promise<Payload[]>): Promise<void> {
  let body = '';
  for await (const chunk of request) body += chunk;
  const { payloads } = JSON.parse(body) as { payloads?: WirePayload[] };
  if (!Array.isArray(payloads)) throw new Error('the body must be {"payloads": [...]}');
  const transformed = await transform(payloads.map(fromWire));
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: transformed.map(toWire) }));
}

function fromWire({ metadata = {}, data = '' }: WirePayload): Payload {
  return { metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])), data: Buffer.from(data, 'base64') };
}

function toWire({ metadata, data }: Payload): WirePayload {
  return { metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])), data: Buffer.from(data ?? new Uint8Array()).toString('base64') };
}

function json(value: unknown): Payload {
  return { metadata: { encoding: new TextEncoder().encode(JSON_ENCODING) }, data: new TextEncoder().encode(JSON.stringify(value)) };
}

function text(bytes: Uint8Array | null | undefined): string {
  return bytes ? new TextDecoder().decode(bytes) : '';
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
