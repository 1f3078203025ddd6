/**
 * Encryption of the user's data at rest (MPFLOW_ENCRYPTION_KEY): AES-256-GCM under named keys.
 * The first key seals; any key named opens what it sealed, so keys rotate by putting a new one
 * first and keeping the old ones until no run uses them. Sealed bytes name their key:
 * `MAGIC | id length | id | IV | ciphertext | tag`.
 *
 * Shared-state values are sealed deterministically (the IV is an HMAC of the plaintext, as in
 * AES-SIV), so Redis can still compare them (dict keys, `list.remove`, `list.index`); a payload
 * or a claim gets a random IV.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SetupError, ValueError } from '../mp-shim/errors.js';

const MAGIC = Buffer.from('mpE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

interface NamedKey {
  id: string;
  key: Buffer;
  /** Derived from `key`, for deterministic IVs only. */
  ivKey: Buffer;
}

export class ValueCipher {
  readonly #keys: Map<string, NamedKey>;
  readonly #sealing: NamedKey;

  private constructor(
    keys: NamedKey[],
    /** The keys as MPFLOW_ENCRYPTION_KEY gives them. */
    private readonly setting: string,
  ) {
    this.#keys = new Map(keys.map((key) => [key.id, key]));
    this.#sealing = keys[0];
  }

  /**
   * The keys of MPFLOW_ENCRYPTION_KEY (or of the file MPFLOW_ENCRYPTION_KEY_FILE names):
   * `id:base64,id:base64,…`, the sealing key first, each 32 bytes (`openssl rand -base64 32`);
   * a lone base64 key is key `default`. Undefined when none are given.
   */
  static fromKeys(text: string | undefined): ValueCipher | undefined {
    if (!text?.trim()) return undefined;
    const keys = text
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((entry) => {
        const [id, encoded] = entry.includes(':') ? entry.split(/:(.*)/s, 2) : ['default', entry];
        const key = Buffer.from(encoded, 'base64');
        if (key.length !== KEY_BYTES || !/^[\w.-]{1,64}$/.test(id)) {
          throw new ValueError(`MPFLOW_ENCRYPTION_KEY must be id:base64 entries of ${KEY_BYTES}-byte keys (openssl rand -base64 32), comma-separated; key '${id}' is not`);
        }
        return { id, key, ivKey: createHmac('sha256', key).update('mpflow deterministic IV').digest() };
      });
    return new ValueCipher(keys, keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(','));
  }

  /** What a process started from this one (a task thread, a Lambda function) needs in its environment to seal and open the same way. */
  get environment(): Record<string, string> {
    return { MPFLOW_ENCRYPTION_KEY: this.setting };
  }

  /** The key new data is sealed with. */
  get keyId(): string {
    return this.#sealing.id;
  }

  seal(plain: Uint8Array, deterministic = false): Uint8Array {
    const { id, key, ivKey } = this.#sealing;
    const iv = deterministic ? createHmac('sha256', ivKey).update(plain).digest().subarray(0, IV_BYTES) : randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const name = Buffer.from(id);
    return Buffer.concat([MAGIC, Buffer.from([name.length]), name, iv, body, cipher.getAuthTag()]);
  }

  open(sealed: Uint8Array): Uint8Array {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (!isSealed(bytes)) throw new SetupError('a value in the store is not encrypted, though MPFLOW_ENCRYPTION_KEY is set: it was written by a process without the key');
    const id = sealingKeyId(bytes);
    const idEnd = MAGIC.length + 1 + bytes[MAGIC.length];
    const named = this.#keys.get(id);
    if (!named) throw missingKey(id);
    const iv = bytes.subarray(idEnd, idEnd + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', named.key, iv);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(idEnd + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  }
}

/** The id of the key `sealed` was sealed with. */
export function sealingKeyId(sealed: Uint8Array): string {
  return Buffer.from(sealed.buffer, sealed.byteOffset + MAGIC.length + 1, sealed[MAGIC.length]).toString();
}

export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length > MAGIC.length && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC);
}

/** What a process without the right key says when it meets sealed data. */
export function missingKey(id: string): SetupError {
  return new SetupError(`data encrypted with key '${id}', which this process does not have: set MPFLOW_ENCRYPTION_KEY (or MPFLOW_ENCRYPTION_KEY_FILE) to include key '${id}'`);
}
