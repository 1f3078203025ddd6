/**
 * Payloads encrypted before they leave the process (MPFLOW_ENCRYPTION_KEY): workflow inputs
 * and results, activity arguments and results, failures' details, in history and in claim
 * checks alike (claim checks keep the encrypted payload). A process without the key that meets
 * one fails with an error naming the key it needs.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import protos from '@temporalio/proto';
import { missingKey, type ValueCipher } from '../state/cipher.js';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const { Payload: PayloadMessage } = protos.temporal.api.common.v1;

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly cipher: ValueCipher | undefined) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const cipher = this.cipher;
    if (!cipher) return payloads;
    return payloads.map((payload) => ({
      metadata: { encoding: text(ENCODING), [KEY_ID]: text(cipher.keyId) },
      data: cipher.seal(PayloadMessage.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!payload.metadata?.encoding || new TextDecoder().decode(payload.metadata.encoding) !== ENCODING) return payload;
      if (!this.cipher) throw missingKey(new TextDecoder().decode(payload.metadata[KEY_ID]));
      return PayloadMessage.decode(this.cipher.open(payload.data!)) as Payload;
    });
  }
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}
