/**
 * The Lambda compute backend: each chunk is one synchronous invocation of the program's
 * function (`mpflow deploy lambda`). A task's own error is an outcome, as on the local backend;
 * a function that failed (FunctionError), timed out or stayed throttled is an infrastructure
 * failure, retried with backoff by whoever launched the chunk, and named with its request id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { runKeys } from '../../state/keys.js';
import { RedisClaims } from '../../workers/claim-check.js';
import { ProcessError, RemoteError, TimeoutError, ValueError } from '../../mp-shim/errors.js';
import { dumps } from '../../mp-shim/serialization.js';
import type { ChunkCall, PoolWorkerSpec } from '../../mp-shim/transport.js';
import type { ComputeBackend, RunContext } from '../backend.js';
import { chunkEvent, claimed, poolWorkerEvent, type ChunkReply, type WorkerMark } from './handler.js';
import type { RedisStore } from '../../state/store.js';
import { LAMBDA_LIST_PRICES, type Pricing } from '../../workflows/definitions.js';

export interface LambdaConfig {
  functionName: string;
  /** A version or alias to invoke; default `$LATEST`. */
  qualifier?: string;
  region: string;
  /** An Invoke endpoint other than AWS's (the dev stack's local one), used only when set. */
  endpoint?: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** At most this many invocations in flight: the backend's parallelism. */
  concurrency: number;
  /** The execution role functions are created with (deploy only). */
  roleArn?: string;
}

const CONFIG_FILE = 'mpflow.config.json';
/** How long a pool worker invocation may take to start (a cold start) before it is presumed lost and replaced. */
const WORKER_START_MS = 30_000;
/** Starts in a row that never ran before a slot's pool worker is given up (the activity hosting them fails, and is retried). */
const WORKER_START_ATTEMPTS = 3;
/** How often the pool workers' marks are read. */
const SUPERVISE_INTERVAL_MS = 1_000;

/**
 * Lambda settings: defaults, then the `lambda` section of ./mpflow.config.json, then the
 * environment (MPFLOW_LAMBDA_FUNCTION, _QUALIFIER, _ENDPOINT, _MEMORY_MB, _TIMEOUT_S,
 * _CONCURRENCY, _ROLE_ARN; AWS_REGION).
 */
export function lambdaConfig(programName: string, env = process.env): LambdaConfig {
  const file = resolve(CONFIG_FILE);
  const fromFile = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { lambda?: Partial<LambdaConfig> }).lambda ?? {}) : {};
  const number = (name: string, fallback: number) => {
    const value = env[name] === undefined ? fallback : Number(env[name]);
    if (!Number.isFinite(value) || value <= 0) throw new ValueError(`${name} must be a positive number, got '${env[name]}'`);
    return value;
  };
  const config = {
    functionName: `mpflow-${programName}`,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    memoryMb: 1769,
    timeoutSeconds: 900,
    concurrency: 100,
    ...fromFile,
  };
  return {
    ...config,
    functionName: env.MPFLOW_LAMBDA_FUNCTION ?? config.functionName,
    qualifier: env.MPFLOW_LAMBDA_QUALIFIER ?? config.qualifier,
    endpoint: env.MPFLOW_LAMBDA_ENDPOINT ?? config.endpoint,
    memoryMb: number('MPFLOW_LAMBDA_MEMORY_MB', config.memoryMb),
    timeoutSeconds: number('MPFLOW_LAMBDA_TIMEOUT_S', config.timeoutSeconds),
    concurrency: number('MPFLOW_LAMBDA_CONCURRENCY', config.concurrency),
    roleArn: env.MPFLOW_LAMBDA_ROLE_ARN ?? config.roleArn,
  };
}

/** A client for `config`: the endpoint override only when set; any keys against a local endpoint. */
export function lambdaClient(config: LambdaConfig): LambdaClient {
  return new LambdaClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'mpflow', secretAccessKey: 'mpflow' } : undefined,
    // Throttles and 5xx are retried by the SDK first (its backoff), then by mpflow's infrastructure retries.
    maxAttempts: 4,
  });
}

/** The cost report's rates: MPFLOW_LAMBDA_PRICE_PER_GB_S and MPFLOW_LAMBDA_PRICE_PER_REQUEST (USD), else AWS's list prices. */
export function lambdaPricing(env = process.env): Pricing {
  const rate = (name: string, fallback: number) => {
    const value = env[name] === undefined ? fallback : Number(env[name]);
    if (!Number.isFinite(value) || value < 0) throw new ValueError(`${name} must be a price in USD, got '${env[name]}'`);
    return value;
  };
  return { perGbSecond: rate('MPFLOW_LAMBDA_PRICE_PER_GB_S', LAMBDA_LIST_PRICES.perGbSecond), perRequest: rate('MPFLOW_LAMBDA_PRICE_PER_REQUEST', LAMBDA_LIST_PRICES.perRequest) };
}

export class LambdaBackend implements ComputeBackend {
  readonly parallelism: number;
  readonly #client: LambdaClient;

  constructor(
    readonly config: LambdaConfig,
    private readonly store: RedisStore,
  ) {
    this.parallelism = config.concurrency;
    this.#client = lambdaClient(config);
  }

  async run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const timeout = call.timeoutMs === undefined ? undefined : AbortSignal.timeout(call.timeoutMs);
    const name = `${this.config.functionName}${this.config.qualifier ? `:${this.config.qualifier}` : ''}`;
    let reply;
    try {
      reply = await this.#client.send(
        new InvokeCommand({ FunctionName: this.config.functionName, Qualifier: this.config.qualifier, InvocationType: 'RequestResponse', Payload: JSON.stringify(await chunkEvent({ call, context }, this.store)) }),
        { abortSignal: timeout ? AbortSignal.any([signal, timeout]) : signal },
      );
    } catch (error) {
      if (timeout?.aborted && !signal.aborted) return dumps([false, new TimeoutError(`${call.summary} ran longer than ${call.timeoutMs} ms and was stopped`)]);
      if (signal.aborted) throw signal.reason;
      throw new ProcessError(`invoking Lambda function ${name} for ${call.summary} failed: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
    const requestId = reply.$metadata.requestId ?? 'unknown';
    const payload = JSON.parse(new TextDecoder().decode(reply.Payload ?? new Uint8Array()) || 'null');
    if (reply.FunctionError) {
      const remote = new RemoteError(`Lambda function ${name} failed (request ${requestId}) running ${call.summary}: ${payload?.errorType}: ${payload?.errorMessage}`, payload?.errorType);
      if (Array.isArray(payload?.trace) && payload.trace.length) remote.stack = payload.trace.join('\n');
      throw remote;
    }
    const { outcome, claim, durationMs, redisCommands } = payload as ChunkReply;
    await this.store.addUsage(context.runId, { billedMs: Math.ceil(durationMs), memoryMb: this.config.memoryMb, redisCommands });
    if (outcome !== undefined) return new Uint8Array(Buffer.from(outcome, 'base64'));
    return new Uint8Array(await claimed(new RedisClaims(this.store.redis), claim!, `the outcome of ${call.summary} (request ${requestId})`));
  }

  /**
   * One asynchronous invocation per slot, each a pool worker pulling chunks from the pool's job
   * queue. They mark in Redis that they run; one that left before its timeout or stopped
   * marking (its container died) is replaced, so the pool keeps its size until it is done.
   */
  async hostPoolWorkers(spec: PoolWorkerSpec, context: RunContext, { signal, onBeat }: { signal: AbortSignal; onBeat?: () => void }): Promise<void> {
    const marks = new Map<number, string>();
    const failedStarts = new Map<number, number>();
    for (let slot = spec.firstSlot; slot < spec.firstSlot + spec.slots; slot++) marks.set(slot, runKeys(context.runId).lambdaWorker(spec.poolId, slot));
    const start = async (slot: number) => {
      await this.store.redis.set(marks.get(slot)!, 'starting' satisfies WorkerMark, 'PX', WORKER_START_MS);
      const event = poolWorkerEvent({ context, spec: { ...spec, firstSlot: slot, slots: 1 } });
      await this.#client.send(new InvokeCommand({ FunctionName: this.config.functionName, Qualifier: this.config.qualifier, InvocationType: 'Event', Payload: JSON.stringify(event) }));
    };
    await Promise.all([...marks.keys()].map(start));
    while (marks.size > 0 && !signal.aborted) {
      await sleep(SUPERVISE_INTERVAL_MS, undefined, { signal }).catch(() => {});
      onBeat?.();
      // Once the pool is over (or its run cleaned up), slots whose workers left need no others.
      if (!(await this.store.poolNeedsWorkers(context.runId, spec.poolId))) return;
      const slots = [...marks.keys()];
      const states = (await this.store.redis.mget(slots.map((slot) => marks.get(slot)!))) as (WorkerMark | null)[];
      await Promise.all(
        slots.map((slot, i) => {
          if (states[i] === 'done') return marks.delete(slot);
          if (states[i] === 'running') return failedStarts.delete(slot);
          if (states[i] === 'left') return start(slot);
          // Silent past its mark's lifetime: it never started, or its container died. Another takes the slot.
          if (states[i] === null) {
            const failed = (failedStarts.get(slot) ?? 0) + 1;
            if (failed === WORKER_START_ATTEMPTS) {
              throw new ProcessError(`Lambda function ${this.config.functionName} did not run the pool worker of slot ${slot + 1} of pool ${spec.poolId} in ${failed} asynchronous invocations`);
            }
            failedStarts.set(slot, failed);
            return start(slot);
          }
        }),
      );
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
