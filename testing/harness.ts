/**
 * The harness test/ and bench/ share: runs programs on either engine against the real servers
 * (the dev stack, or TEMPORAL_ADDRESS / MPFLOW_REDIS_URL), each harness with one worker on a
 * task queue of its own, bundled once. The configuration is read when a harness is made, so a
 * test file may set the environment first.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe } from 'node:test';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { LambdaBackend, type LambdaConfig } from '../compute/lambda/backend.js';
import { deployLambda } from '../infra/lambda-deploy.js';
import { LocalBackend } from '../compute/local/backend.js';
import { devLambdaEndpoint, devS3Endpoint, resolveEndpoints } from '../infra/dev-stack.js';
import { RedisStore } from '../state/store.js';
import { connectClient, connectWorker, mainResult, startMain } from '../workers/client.js';
import { lambdaConfig, readConfig, storageUrl, type Config, type Endpoints } from '../workers/config.js';
import { runLocal } from '../workers/local-engine.js';
import { resolveProgram, type Program } from '../workers/program.js';
import { createWorker, dataConverter, installRuntime } from '../workers/worker.js';
import type { RunOptions } from '../workflows/definitions.js';

export type EngineName = 'local' | 'temporal';
export const ENGINES: EngineName[] = ['local', 'temporal'];

export interface Harness {
  readonly engine: EngineName;
  readonly config: Config;
  readonly program: Program;
  readonly store: RedisStore;
  readonly endpoints: Endpoints;
  /** Runs the program's exported `entry` with `args` and returns its result. */
  run<T = unknown>(entry: string, ...args: unknown[]): Promise<T>;
  /** Starts `entry` on the durable engine and returns its workflow's handle (absent on the local engine). */
  start?(entry: string, ...args: unknown[]): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /** The durable engine's client and task queue (undefined on the local engine). */
  readonly client?: Client;
  readonly taskQueue?: string;
  close(): Promise<void>;
}

/** Where tasks run: worker threads here, or a Lambda function (deployed by the caller). */
export type BackendChoice = { kind: 'local' } | { kind: 'lambda'; config: LambdaConfig };

export async function harness(engine: EngineName, programDir: string, options: Partial<RunOptions> = {}, compute: BackendChoice = { kind: 'local' }, config = readConfig()): Promise<Harness> {
  const program = resolveProgram(programDir);
  const endpoints = await resolveEndpoints(config, { temporal: engine === 'temporal' });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  const backend = compute.kind === 'lambda' ? new LambdaBackend(compute.config, store) : new LocalBackend(config.threads, store);
  const storage = options.storage ?? storageUrl(config);
  const common = { engine, config, program, store, endpoints };
  const closeServices = async () => {
    await backend.close();
    await store.close();
  };
  if (engine === 'local') {
    return {
      ...common,
      run: (entry, ...args) =>
        runLocal({ program, entry, args, store, backend, storage, lockLeaseMs: config.lockLeaseMs, pricing: config.pricing, dispatch: options.dispatch }),
      close: closeServices,
    };
  }
  installRuntime(config);
  const taskQueue = `test-${program.name}-${randomUUID().slice(0, 8)}`;
  const connection = await connectWorker(endpoints);
  const worker = await createWorker({ config, connection, namespace: endpoints.temporalNamespace, program, store, backend, taskQueue });
  const running = worker.run();
  const client = await connectClient(endpoints, dataConverter(config, store));
  const start = (entry: string, ...args: unknown[]) =>
    startMain(client, { program, entry, args, taskQueue, options: { cpuCount: backend.parallelism, storage, pricing: config.pricing, historyLimit: config.historyLimit, ...options } });
  return {
    ...common,
    client,
    taskQueue,
    start,
    run: async (entry, ...args) => mainResult(await start(entry, ...args)),
    close: async () => {
      worker.shutdown();
      await running;
      await client.connection.close();
      await connection.close();
      await closeServices();
    },
  };
}

/** Deploys `programDir` to the dev stack's local Lambda endpoint (a function per program); returns the backend's configuration. */
export async function deployToDevLambda(programDir: string, overrides: Partial<LambdaConfig> = {}, config = readConfig()): Promise<LambdaConfig> {
  const program = resolveProgram(programDir);
  const lambda = { ...lambdaConfig(config, program.name), endpoint: devLambdaEndpoint(config.dev), functionName: `mpflow-test-${program.name}`, timeoutSeconds: 60, memoryMb: 512, concurrency: 16, ...overrides };
  await deployLambda(program, lambda);
  return lambda;
}

/** `mpflow worker` for `program` in a process of its own, on `endpoints`: what a user starts, and what a test kills. */
export function workerProcess(program: Program, endpoints: Endpoints, env: Record<string, string> = {}): ChildProcess {
  const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const environment = { ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, MPFLOW_REDIS_URL: endpoints.redisUrl, MPFLOW_TASK_QUEUE: program.taskQueue, ...env };
  return spawn(process.execPath, [cli, 'worker', program.dir], { env: environment, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** What `mpflow …` did: its exit code, its output, the JSON object on its last stdout line, and how long it took. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
  ms: number;
}

/** Runs `mpflow …` as a user would, with `env` (undefined values removed from the environment) over this process's. */
export async function mpflowCommand(args: string[], env: Record<string, string | undefined> = {}): Promise<CommandRun> {
  const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const started = performance.now();
  const done = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 120_000, env: { ...process.env, ...env } as NodeJS.ProcessEnv }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  const last = done.stdout.trim().split('\n').at(-1) ?? '';
  return { ...done, json: last.startsWith('{') ? JSON.parse(last) : {}, ms: performance.now() - started };
}

/** The runs of the chain `workflowId`, oldest first, each as how it ended (or RUNNING). */
export async function chainRuns(client: Client, workflowId: string): Promise<string[]> {
  return (await statuses(client, `WorkflowId = '${workflowId}'`)).reverse();
}

/** How the processes the chain `workflowId` started ended (or RUNNING), sorted. */
export async function chainProcesses(client: Client, workflowId: string): Promise<string[]> {
  return (await statuses(client, `WorkflowId STARTS_WITH '${workflowId}/process-'`)).sort();
}

/** The statuses of the workflows `query` finds, newest first. */
async function statuses(client: Client, query: string): Promise<string[]> {
  const found: string[] = [];
  for await (const execution of client.workflow.list({ query })) found.push(execution.status.name);
  return found;
}

/** Milliseconds `work` took. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

/** Declares the suite `body` once per engine, each against a harness for `programDir` made once. */
export function onEveryEngine(subject: string, programDir: string, body: (h: () => Harness) => void, timeout = 180_000): void {
  for (const engine of ENGINES) suite(`${subject} on the ${engine} engine`, engine, programDir, {}, body, timeout);
}

/** Like onEveryEngine, and once more on the durable engine with the tasks on the dev stack's Lambda endpoint. */
export function onEveryEngineAndLambda(subject: string, programDir: string, body: (h: () => Harness) => void, timeout = 300_000): void {
  onEveryEngine(subject, programDir, body, timeout);
  describe(`${subject} on the temporal engine, tasks on Lambda`, { timeout }, () => {
    let current: Harness;
    before(async () => (current = await harness('temporal', programDir, {}, { kind: 'lambda', config: await deployToDevLambda(programDir) })));
    after(() => current.close());
    body(() => current);
  });
}

/** Like onEveryEngine, once per pool dispatch too: each chunk launched on its own, and through the job queue. */
export function onEveryEngineAndDispatch(subject: string, programDir: string, body: (h: () => Harness) => void, timeout = 180_000): void {
  for (const engine of ENGINES) {
    for (const dispatch of ['activity', 'queue'] as const) {
      suite(`${subject} on the ${engine} engine, ${dispatch} dispatch`, engine, programDir, { dispatch }, body, timeout);
    }
  }
}

export type StorageName = 'file' | 's3';
export const STORAGES: StorageName[] = ['file', 's3'];

/** A fresh, empty storage root: a temporary directory, or a prefix of a bucket on the dev stack's S3 server. */
export function freshStorage(kind: StorageName, config = readConfig()): string {
  if (kind === 'file') return pathToFileURL(mkdtempSync(join(tmpdir(), 'mpflow-fs-'))).href;
  // A bucket each: the local server lists a prefix by scanning its whole bucket.
  return `s3://mpflow-test-${randomUUID().slice(0, 8)}/root?endpoint=${encodeURIComponent(devS3Endpoint(config.dev))}`;
}

/** Declares the suite `body` once per engine and storage backend, each on a fresh storage root. */
export function onEveryEngineAndStorage(subject: string, programDir: string, body: (h: () => Harness, storage: StorageName) => void, timeout = 300_000): void {
  for (const engine of ENGINES) {
    for (const storage of STORAGES) {
      suite(`${subject} on the ${engine} engine, ${storage} storage`, engine, programDir, { storage: freshStorage(storage) }, (h) => body(h, storage), timeout);
    }
  }
}

function suite(title: string, engine: EngineName, programDir: string, options: Partial<RunOptions>, body: (h: () => Harness) => void, timeout: number): void {
  describe(title, { timeout }, () => {
    let current: Harness;
    before(async () => (current = await harness(engine, programDir, options)));
    after(() => current.close());
    body(() => current);
  });
}
