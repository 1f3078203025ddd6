/**
 * Temporal payloads in mpflow's one codec, so workflow inputs, results, activity
 * arguments and Redis values round-trip the same types. Payloads in other
 * encodings (e.g. JSON from the `temporal` CLI) are still read.
 */
import { METADATA_ENCODING_KEY, RawValue, defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { dumps, loads } from '../mp-shim/serialization.js';

const ENCODING = 'binary/msgpack-mpflow';
const ENCODING_BYTES = new TextEncoder().encode(ENCODING);

class MpflowPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    // The SDK's own answers arrive encoded already (the Web UI's current-details query: `json/protobuf`).
    if (value instanceof RawValue) return value.payload;
    return { metadata: { [METADATA_ENCODING_KEY]: ENCODING_BYTES }, data: dumps(value) };
  }

  fromPayload<T>(payload: Payload): T {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (encoding && new TextDecoder().decode(encoding) === ENCODING) return loads<T>(payload.data ?? new Uint8Array());
    return defaultPayloadConverter.fromPayload<T>(payload);
  }
}

export const payloadConverter = new MpflowPayloadConverter();
