/**
 * mpflow's configuration: every environment variable it reads, read once at the edge (the
 * CLI, a test or benchmark harness) into one typed object that is passed down. The README's
 * Configuration table lists them all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LambdaConfig } from '../compute/lambda/backend.js';
import { LAMBDA_LIST_PRICES, type Pricing } from '../compute/lambda/cost.js';
import { ValueError } from '../mp-shim/errors.js';
import { ValueCipher } from '../state/cipher.js';
import { parseStorageUrl } from '../storage/index.js';
import { TEMPORAL_HISTORY_LIMIT, type HistoryLimit } from '../workflows/definitions.js';

export interface Endpoints {
  temporalAddress: string;
  temporalNamespace: string;
  /** How connections to a configured Temporal authenticate and encrypt: Temporal's own settings (TEMPORAL_TLS*, TEMPORAL_API_KEY, profiles). */
  temporalSecurity?: TemporalSecurity;
  redisUrl: string;
  /** The Web UI, when known (the embedded dev server's). */
  webUiUrl?: string;
}

export interface DevStackConfig {
  stateDir: string;
  temporalPort: number;
  redisPort: number;
  s3Port: number;
  lambdaPort: number;
  /** The codec server the dev stack's Web UI decodes payloads with. */
  codecPort: number;
  /** A `temporal` binary to use instead of the pinned one. */
  temporalCli?: string;
  /** Dynamic configuration of the dev server, `key=value` each (MPFLOW_DEV_TEMPORAL_CONFIG, space-separated). */
  temporalDynamicConfig: string[];
  /** MPFLOW_DEV_REDIS_PASSWORD: the dev stack's Redis requires it. */
  redisPassword?: string;
  /** MPFLOW_DEV_REDIS_TLS=1: the dev stack's Redis speaks TLS only, with a certificate of its own CA (made with openssl). */
  redisTls: boolean;
}

export interface Config {
  /** Servers the user configured; the dev stack fills in the rest. */
  endpoints: Partial<Endpoints> & { temporalNamespace: string };
  dev: DevStackConfig;
  /** MPFLOW_ENCRYPTION_KEY (or _FILE): payloads, claims and shared-state values are encrypted with it. */
  cipher?: ValueCipher;
  /** MPFLOW_REDIS_CA: the PEM of a CA to trust for a rediss:// MPFLOW_REDIS_URL (read from the file it names). */
  redisCa?: string;
  /** MPFLOW_STORAGE, as given (a run's `--storage` wins over it). */
  storage?: string;
  /** MPFLOW_TASK_QUEUE: the task queue of the programs run and served here (`--task-queue` wins over it). */
  taskQueue?: string;
  /** MPFLOW_S3_ENDPOINT: an S3-compatible endpoint for storage URLs that name none. */
  s3Endpoint?: string;
  /** AWS_REGION (or AWS_DEFAULT_REGION), else us-east-1: for S3 and Lambda. */
  awsRegion: string;
  /** MPFLOW_CLAIM_CHECK: `redis` or `s3://bucket/prefix`. */
  claimCheck: string;
  /** Worker threads of the local compute backend. */
  threads: number;
  /** Lease of locks taken in tasks: they free themselves this long after their holder died. */
  lockLeaseMs: number;
  /** Lambda settings, without the function name (which defaults to the program's). */
  lambda: Omit<LambdaConfig, 'functionName'> & { functionName?: string };
  pricing: Pricing;
  /** MPFLOW_HISTORY_MAX_EVENTS, _BYTES: the history limits of the Temporal server the runs go to, when not its defaults. */
  historyLimit: HistoryLimit;
  logLevel: 'warn' | 'debug';
}

/** TLS (and mTLS), an API key and gRPC metadata, as Temporal's clients take them. */
export type TemporalSecurity = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'>;

type Env = Record<string, string | undefined>;

const CONFIG_FILE = 'mpflow.config.json';

export function readConfig(env: Env = process.env): Config {
  const number = (name: string, fallback: number, allowZero = false) => {
    const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) throw new ValueError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${env[name]}'`);
    return value;
  };
  const stateDir = resolve(env.MPFLOW_STATE_DIR || '.mpflow');
  const temporalPort = number('MPFLOW_DEV_TEMPORAL_PORT', 7233);
  const temporalDynamicConfig = (env.MPFLOW_DEV_TEMPORAL_CONFIG ?? '').split(/\s+/).filter(Boolean);
  // A dev server started with lower history limits (to try checkpoints) tells the runs of them.
  const devLimit = (name: string) => temporalDynamicConfig.find((setting) => setting.startsWith(`${name}=`))?.slice(name.length + 1);
  const claimCheck = env.MPFLOW_CLAIM_CHECK || 'redis';
  if (claimCheck !== 'redis' && !claimCheck.startsWith('s3://')) throw new ValueError(`MPFLOW_CLAIM_CHECK must be 'redis' or an s3://bucket/prefix URL, got '${claimCheck}'`);
  const logLevel = env.MPFLOW_LOG_LEVEL === 'debug' ? 'debug' : 'warn';
  const awsRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const temporal = temporalProfile(env);
  return {
    endpoints: {
      temporalAddress: temporal.connectionOptions.address || undefined,
      temporalNamespace: temporal.namespace || 'default',
      temporalSecurity: { tls: temporal.connectionOptions.tls, apiKey: temporal.connectionOptions.apiKey as string | undefined, metadata: temporal.connectionOptions.metadata },
      redisUrl: env.MPFLOW_REDIS_URL || undefined,
      webUiUrl: env.MPFLOW_WEB_UI_URL || undefined,
    },
    dev: {
      stateDir,
      temporalPort,
      redisPort: number('MPFLOW_DEV_REDIS_PORT', 6399),
      s3Port: number('MPFLOW_DEV_S3_PORT', 9399),
      lambdaPort: number('MPFLOW_DEV_LAMBDA_PORT', 9398),
      codecPort: number('MPFLOW_DEV_CODEC_PORT', 8333),
      temporalCli: env.TEMPORAL_CLI || undefined,
      temporalDynamicConfig,
      redisPassword: env.MPFLOW_DEV_REDIS_PASSWORD || undefined,
      redisTls: env.MPFLOW_DEV_REDIS_TLS === '1' || env.MPFLOW_DEV_REDIS_TLS === 'true',
    },
    redisCa: env.MPFLOW_REDIS_CA ? fileNamedBy('MPFLOW_REDIS_CA', env.MPFLOW_REDIS_CA, 'a PEM file of the CA to trust') : undefined,
    cipher: ValueCipher.fromKeys(env.MPFLOW_ENCRYPTION_KEY || (env.MPFLOW_ENCRYPTION_KEY_FILE && fileNamedBy('MPFLOW_ENCRYPTION_KEY_FILE', env.MPFLOW_ENCRYPTION_KEY_FILE, 'a file of keys'))),
    storage: env.MPFLOW_STORAGE || undefined,
    taskQueue: env.MPFLOW_TASK_QUEUE || undefined,
    s3Endpoint: env.MPFLOW_S3_ENDPOINT || undefined,
    awsRegion,
    claimCheck,
    threads: number('MPFLOW_THREADS', availableParallelism()),
    lockLeaseMs: number('MPFLOW_LOCK_LEASE_MS', 60_000),
    lambda: lambdaSettings(env, awsRegion, number),
    pricing: {
      perGbSecond: number('MPFLOW_LAMBDA_PRICE_PER_GB_S', LAMBDA_LIST_PRICES.perGbSecond, true),
      perRequest: number('MPFLOW_LAMBDA_PRICE_PER_REQUEST', LAMBDA_LIST_PRICES.perRequest, true),
    },
    historyLimit: {
      events: number('MPFLOW_HISTORY_MAX_EVENTS', Number(devLimit('limit.historyCount.error') ?? TEMPORAL_HISTORY_LIMIT.events)),
      bytes: number('MPFLOW_HISTORY_MAX_BYTES', Number(devLimit('limit.historySize.error') ?? TEMPORAL_HISTORY_LIMIT.bytes)),
    },
    logLevel,
  };
}

/**
 * The Temporal server to use, as Temporal's own tools configure it: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_GRPC_META_*, and the profile
 * TEMPORAL_PROFILE names in TEMPORAL_CONFIG_FILE (default ~/.config/temporalio/temporal.toml).
 */
function temporalProfile(env: Env): ClientConnectConfig {
  const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  try {
    return loadClientConnectConfig({ overrideEnvVars: defined });
  } catch (error) {
    throw new ValueError(`cannot read Temporal's client configuration (TEMPORAL_* variables, ${env.TEMPORAL_CONFIG_FILE ?? 'the profile file'}): ${(error as Error).message}`);
  }
}

/** The text of the file `variable` names, or a ValueError saying which file and why it cannot be read. */
function fileNamedBy(variable: string, path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValueError(`${variable} must name ${what}, got '${path}': ${(error as Error).message}`);
  }
}

/**
 * Lambda settings: defaults, then the `lambda` section of ./mpflow.config.json, then the
 * environment (MPFLOW_LAMBDA_FUNCTION, _QUALIFIER, _ENDPOINT, _MEMORY_MB, _TIMEOUT_S,
 * _CONCURRENCY, _ROLE_ARN; AWS_REGION).
 */
function lambdaSettings(env: Env, region: string, number: (name: string, fallback: number) => number): Config['lambda'] {
  const file = resolve(CONFIG_FILE);
  const fromFile = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { lambda?: Partial<LambdaConfig> }).lambda ?? {}) : {};
  const settings = { region, memoryMb: 1769, timeoutSeconds: 900, concurrency: 100, ...fromFile };
  return {
    ...settings,
    functionName: env.MPFLOW_LAMBDA_FUNCTION ?? settings.functionName,
    qualifier: env.MPFLOW_LAMBDA_QUALIFIER ?? settings.qualifier,
    endpoint: env.MPFLOW_LAMBDA_ENDPOINT ?? settings.endpoint,
    memoryMb: number('MPFLOW_LAMBDA_MEMORY_MB', settings.memoryMb),
    timeoutSeconds: number('MPFLOW_LAMBDA_TIMEOUT_S', settings.timeoutSeconds),
    concurrency: number('MPFLOW_LAMBDA_CONCURRENCY', settings.concurrency),
    roleArn: env.MPFLOW_LAMBDA_ROLE_ARN ?? settings.roleArn,
    hasAccessKey: Boolean(env.AWS_ACCESS_KEY_ID),
  };
}

/** The Lambda settings of `programName`'s function (`mpflow-<name>` unless configured). */
export function lambdaConfig(config: Config, programName: string): LambdaConfig {
  return { ...config.lambda, functionName: config.lambda.functionName ?? `mpflow-${programName}` };
}

/**
 * The run's storage for mpflow/fs: `chosen` (`--storage`), else MPFLOW_STORAGE, else `files/`
 * under the state dir. A plain directory path is taken as a file:// URL; an s3:// URL gets the
 * configured endpoint and region unless it names its own, so every process of the run reaches
 * the same server however its environment is set.
 */
export function storageUrl(config: Config, chosen = config.storage): string {
  if (!chosen) return pathToFileURL(join(config.dev.stateDir, 'files')).href;
  const url = parseStorageUrl(/^[a-z][a-z0-9+.-]*:/i.test(chosen) ? chosen : pathToFileURL(resolve(chosen)).href);
  if (url.protocol === 's3:') {
    if (config.s3Endpoint && !url.searchParams.has('endpoint')) url.searchParams.set('endpoint', config.s3Endpoint);
    if (!url.searchParams.has('region')) url.searchParams.set('region', config.awsRegion);
  }
  return url.href;
}
