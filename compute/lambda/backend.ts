/**
 * The Lambda compute backend: each chunk is one synchronous invocation of the program's
 * function (`mpflow deploy lambda`). A task's own error is an outcome, as on the local backend;
 * a function that failed (FunctionError), timed out or stayed throttled is an infrastructure
 * failure, retried with backoff by whoever launched the chunk, and named with its request id.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessError, RemoteError, SetupError } from '../../mp-shim/errors.js';
import type { ChunkCall, PoolWorkerSpec } from '../../mp-shim/transport.js';
import { fetchClaim } from '../../state/claims.js';
import type { RedisStore } from '../../state/store.js';
import { ChunkRunRecorder } from '../chunk-runs.js';
import type { ComputeBackend, RunContext } from '../backend.js';
import type { HostHooks } from '../pool-worker.js';
import { setupProblem, type Reaching } from '../../mp-shim/setup-problems.js';
import { withTaskTimeout } from '../timeout.js';
import { chunkEvent, poolWorkerEvent, type ChunkReply } from './protocol.js';

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
  /** Whether AWS credentials are configured (AWS_ACCESS_KEY_ID); a local endpoint takes any keys otherwise. */
  hasAccessKey: boolean;
}

/** How long a pool worker invocation may take to start (a cold start) before it is presumed lost and replaced. */
const WORKER_START_MS = 30_000;
/** Starts in a row that never ran before a slot's pool worker is given up (the activity hosting them fails, and is retried). */
const WORKER_START_ATTEMPTS = 3;
/** How often the pool workers' marks are read. */
const SUPERVISE_INTERVAL_MS = 1_000;

/** A client for `config`: the endpoint override only when set; any keys against a local endpoint. */
export function lambdaClient(config: LambdaConfig): LambdaClient {
  return new LambdaClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.endpoint && !config.hasAccessKey ? { accessKeyId: 'mpflow', secretAccessKey: 'mpflow' } : undefined,
    // Throttles and 5xx are retried by the SDK first (its backoff), then by mpflow's infrastructure retries.
    maxAttempts: 4,
  });
}

export class LambdaBackend implements ComputeBackend {
  readonly parallelism: number;
  readonly #client: LambdaClient;
  readonly #runs: ChunkRunRecorder;

  constructor(
    readonly config: LambdaConfig,
    private readonly store: RedisStore,
  ) {
    this.parallelism = config.concurrency;
    this.#client = lambdaClient(config);
    this.#runs = new ChunkRunRecorder(store);
  }

  /** What a failure that waiting cannot fix names: the function, and how to deploy it or reach the dev stack's endpoint. */
  get reached(): Reaching {
    return {
      what: `Lambda function ${this.config.functionName}${this.config.qualifier ? `:${this.config.qualifier}` : ''} (${this.config.region}${this.config.endpoint ? ` at ${this.config.endpoint}` : ''})`,
      devEndpoint: ['MPFLOW_LAMBDA_ENDPOINT', 'http://127.0.0.1:9398', 'mpflow dev up --lambda'],
      ifMissing: 'deploy it with `mpflow deploy lambda <program>`',
    };
  }

  /** Whether the function can be invoked (an Invoke dry run): a SetupError naming the fix if not. */
  async check(): Promise<void> {
    await this.#send('DryRun');
  }

  /** Invokes the function; a failure waiting cannot fix is a SetupError naming the fix. */
  #send(InvocationType: 'RequestResponse' | 'Event' | 'DryRun', event?: object, signal?: AbortSignal) {
    const command = new InvokeCommand({ FunctionName: this.config.functionName, Qualifier: this.config.qualifier, InvocationType, Payload: event && JSON.stringify(event) });
    return this.#client.send(command, { abortSignal: signal }).catch((error: unknown) => {
      throw setupProblem(error, this.reached) ?? error;
    });
  }

  run(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    return this.#runs.record(context, call, () => withTaskTimeout(call, signal, (stop) => this.#invoke(call, context, stop)));
  }

  async #invoke(call: ChunkCall, context: RunContext, signal: AbortSignal): Promise<Uint8Array> {
    const name = `${this.config.functionName}${this.config.qualifier ? `:${this.config.qualifier}` : ''}`;
    let reply;
    try {
      const event = await chunkEvent({ call, context }, this.store.claims);
      reply = await this.#send('RequestResponse', event, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof SetupError) throw error;
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
    await this.store.usage.add(context.runId, { billedMs: Math.ceil(durationMs), memoryMb: this.config.memoryMb, redisCommands });
    if (outcome !== undefined) return new Uint8Array(Buffer.from(outcome, 'base64'));
    return fetchClaim(this.store.claims, claim!, `the outcome of ${call.summary} (request ${requestId})`);
  }

  /**
   * One asynchronous invocation per slot, each a pool worker pulling chunks from the pool's job
   * queue. They mark in Redis that they run; one that left before its timeout or stopped
   * marking (its container died) is replaced, so the pool keeps its size until it is done.
   */
  async hostPoolWorkers(spec: PoolWorkerSpec, context: RunContext, { signal, onBeat }: HostHooks): Promise<void> {
    const live = new Set<number>();
    const failedStarts = new Map<number, number>();
    for (let slot = spec.firstSlot; slot < spec.firstSlot + spec.slots; slot++) live.add(slot);
    const start = async (slot: number) => {
      await this.store.lambdaMarks.set(context.runId, spec.poolId, slot, 'starting', WORKER_START_MS);
      const event = poolWorkerEvent({ context, spec: { ...spec, firstSlot: slot, slots: 1 } });
      await this.#send('Event', event);
    };
    await Promise.all([...live].map(start));
    while (live.size > 0 && !signal.aborted) {
      await sleep(SUPERVISE_INTERVAL_MS, undefined, { signal }).catch(() => {});
      onBeat?.();
      // Once the pool is over (or its run cleaned up), slots whose workers left need no others.
      if (!(await this.store.pools.needsWorkers(context.runId, spec.poolId))) return;
      const slots = [...live];
      const states = await this.store.lambdaMarks.read(context.runId, spec.poolId, slots);
      await Promise.all(
        slots.map((slot, i) => {
          if (states[i] === 'done') return live.delete(slot);
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
    await this.#runs.sent();
    this.#client.destroy();
  }
}
