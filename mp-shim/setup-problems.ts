/**
 * Failures that waiting cannot fix: no credentials, a function or bucket that does not exist,
 * access denied, a wrong Redis password. They become a SetupError naming the fix, which no retry
 * policy retries, so the user hears of them in seconds instead of after minutes of retries.
 */
import { SetupError } from './errors.js';

/** What was being reached, and how the dev stack would serve it: the fix a message names. */
export interface Reaching {
  /** e.g. `S3 storage s3://bucket/x`, `Lambda function mpflow-pi (us-east-1)`. */
  what: string;
  /** The environment variable that points mpflow at the dev stack's server instead, and its value. */
  devEndpoint?: [variable: string, value: string, devUp: string];
  /** What to do when it does not exist. */
  ifMissing?: string;
  /** What to check when access is denied; default: the AWS credentials. */
  ifDenied?: string;
}

const AWS_ACCESS = new Set(['AccessDenied', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'AllAccessDisabled']);
const AWS_MISSING = new Set(['ResourceNotFoundException', 'NoSuchBucket']);
const TLS_TRUST = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const AWS_INVALID = new Set(['InvalidParameterValueException', 'ValidationException', 'InvalidRequestContentException', 'InvalidBucketName', 'InvalidRuntimeException']);

/** `error` as a SetupError when it is one of the failures waiting cannot fix; undefined otherwise. */
export function setupProblem(error: unknown, reaching: Reaching): SetupError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof SetupError) return error;
  const name = error.name;
  const dev = reaching.devEndpoint ? `; for the dev stack's server set ${reaching.devEndpoint[0]}=${reaching.devEndpoint[1]} (${reaching.devEndpoint[2]})` : '';
  if (name === 'CredentialsProviderError') {
    return new SetupError(`no AWS credentials found for ${reaching.what}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE${dev}`, { cause: error });
  }
  const denied = `: ${reaching.ifDenied ?? 'check the credentials and their permissions'}`;
  if (AWS_ACCESS.has(name)) return new SetupError(`${reaching.what}: access denied (${name}: ${error.message})${denied}`, { cause: error });
  if (name === 'NamespaceNotFoundError' || /Namespace \S+ (was|is) not found/.test(error.message)) return missing(reaching, 'NamespaceNotFound', error);
  if (/\b(PermissionDenied|Unauthenticated)\b|Request unauthorized/.test(error.message)) {
    return new SetupError(`${reaching.what}: access denied (${error.message.split('\n')[0]})${denied}`, { cause: error });
  }
  if (AWS_MISSING.has(name)) return missing(reaching, name, error);
  if (AWS_INVALID.has(name)) return new SetupError(`${reaching.what}: the request was refused as invalid (${name}: ${error.message})`, { cause: error });
  if (TLS_TRUST.has((error as NodeJS.ErrnoException).code ?? '')) {
    return new SetupError(`${reaching.what}: its TLS certificate is not trusted here (${error.message}): trust its CA (Redis: MPFLOW_REDIS_CA=<PEM file>; any server: NODE_EXTRA_CA_CERTS=<PEM file>)`, { cause: error });
  }
  if (/^(NOAUTH|WRONGPASS|NOPERM)\b/.test(error.message)) {
    return new SetupError(`${reaching.what} refused mpflow: ${error.message.replace(/\.$/, '')}; give the password (and ACL user) in MPFLOW_REDIS_URL, redis://user:password@host:port`, { cause: error });
  }
  return undefined;
}

function missing(reaching: Reaching, name: string, error: Error): SetupError {
  return new SetupError(`${reaching.what} does not exist (${name}: ${error.message.split('\n')[0].split(': Status {')[0]})${reaching.ifMissing ? `: ${reaching.ifMissing}` : ''}`, { cause: error });
}

/** What a Temporal failure waiting cannot fix names: the namespace, and what configures it. */
export function temporalReached(namespace: string): Reaching {
  return {
    what: `Temporal namespace '${namespace}'`,
    ifMissing: `create it (temporal operator namespace create ${namespace}) or set TEMPORAL_NAMESPACE`,
    ifDenied: 'check TEMPORAL_API_KEY, or the client certificate of TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH (or the profile in TEMPORAL_CONFIG_FILE)',
  };
}
