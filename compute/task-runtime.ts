/**
 * Where a chunk runs, on every backend (a thread of the local backend, a Lambda invocation):
 * loads the program's tasks module once, runs the chunk's items, and gives the task a
 * Transport of its own, so its shared-state operations go straight to Redis.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
// Every shared kind registers itself when its module loads; a tasks module may import them as types only.
import '../mp-shim/index.js';
import { ProcessError, SystemExit } from '../mp-shim/errors.js';
import { dumps, loads } from '../mp-shim/serialization.js';
import { MAIN_PROCESS, opName, type ChunkCall, type Launch, type Outcome, type PoolSpec, type PoolWorkers, type ProcessIdentity, type StateOp, type StateOpName, type StateResult } from '../mp-shim/transport.js';
import { ValueCipher } from '../state/cipher.js';
import { chunkRecords } from '../state/keys.js';
import { RedisStore, type Leases, type OutputLine } from '../state/store.js';
import type { RunContext, ThreadRequest } from './backend.js';
import { currentTransport, NodeTransport, runWithTransport, type OpIdentity } from './node-transport.js';
import { resolveMpflowToThisCopy } from './own-modules.js';

type TasksModule = Record<string, unknown>;

const modules = new Map<string, Promise<TasksModule>>();
const stores = new Map<string, Promise<RedisStore>>();
/** Worker slots whose initializer already ran here: `pool/slot/generation`. */
const initializedSlots = new Set<string>();

/** How long a line a task wrote may wait to be sent with the lines after it. */
const OUTPUT_SENT_WITHIN_MS = 100;
/** This process's own stderr, for what goes wrong sending a task's output (which a task's stderr would capture). */
let processStderr = (text: string) => process.stderr.write(text);

/** What a chunk keeps of the bytes its operations answered (items taken, values read), for an attempt after it. */
const CHUNK_ANSWERS_KEPT_BYTES = 64 * 1024 * 1024;

/**
 * One attempt of a chunk. Its operations are named by their place in the chunk, the same in
 * every attempt: an attempt after a worker died (or a straggler copy) repeats the operations the
 * first made and gets their answers, so the chunk's effects apply once, as long as its task makes
 * the same operations in the same order. The chunk holds its locks (leased, so that they free
 * themselves if it dies) and makes its objects' ids the same way. Past CHUNK_ANSWERS_KEPT_BYTES of
 * answers (a pipe streaming all run long), what it takes or reads is delivered to that attempt alone.
 */
class TaskTransport extends NodeTransport {
  readonly engine = 'task';
  readonly lockLeaseMs: number;
  readonly #owner: string;
  #chunkSequence = 0;
  #answeredBytes = 0;
  #uuids = 0;
  /** What the task wrote that is not in Redis yet: whole lines, and each stream's line in progress. */
  readonly #lines: OutputLine[] = [];
  readonly #partialLines = { stdout: '', stderr: '' };
  #sending?: Promise<void>;
  #fail!: (error: unknown) => void;
  /** Rejects when something the chunk's task started fails where no caller of it can catch it. */
  readonly failed = new Promise<never>((_, reject) => (this.#fail = reject));

  constructor(
    store: RedisStore,
    private readonly context: RunContext,
    private readonly call: ChunkCall,
    private readonly self: ProcessIdentity,
  ) {
    super(store);
    this.lockLeaseMs = context.lockLeaseMs;
    this.#owner = `${context.runId}/${call.id}`;
  }

  override async state<K extends StateOpName>(op: StateOp<K>): Promise<StateResult<K>> {
    const result = await super.state(op);
    if (result instanceof Uint8Array) this.#answeredBytes += result.byteLength;
    return result;
  }

  protected override identify(op: StateOp): OpIdentity {
    if (this.#answeredBytes > CHUNK_ANSWERS_KEPT_BYTES) return super.identify(op);
    return { opId: opName(this.#chunkSequence++, op), opRecords: chunkRecords(this.call.id) };
  }

  override uuid(): string {
    const hex = createHash('sha256').update(`${this.call.id}:${this.#uuids++}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  get runId(): string {
    return this.context.runId;
  }

  get storage(): string {
    return this.context.storage;
  }

  cpuCount(): number {
    return 1;
  }

  launch(call: ChunkCall): Launch {
    throw nested(call.summary);
  }

  startPoolWorkers(pool: PoolSpec): PoolWorkers {
    throw nested(`the workers of pool ${pool.poolId}`);
  }

  /** Runs here, inline: a barrier's action when a task is the last party to arrive. */
  runTask(call: ChunkCall): Promise<Uint8Array> {
    return runChunk({ call, context: this.context });
  }

  ownerId(): string {
    return this.#owner;
  }

  processIdentity() {
    return { self: this.self, parent: MAIN_PROCESS };
  }

  warn(message: string, error?: unknown): void {
    console.error(`mpflow: ${this.self.name}: ${message}`, error ?? '');
  }

  fail(error: unknown): void {
    this.#fail(error);
  }

  /** Keeps what the task wrote to `stream`, marked with its chunk, for the driver and `mpflow logs`. */
  write(stream: OutputLine['stream'], text: string): void {
    const lines = (this.#partialLines[stream] + text).split('\n');
    this.#partialLines[stream] = lines.pop()!;
    for (const line of lines) this.#lines.push({ chunk: this.call.summary, stream, text: line });
    if (this.#lines.length > 0) this.#sending ??= sleep(OUTPUT_SENT_WITHIN_MS).then(() => this.#send());
  }

  /** Whether the task wrote anything that is not sent yet. */
  get outputPending(): boolean {
    return this.#sending !== undefined || this.#partialLines.stdout !== '' || this.#partialLines.stderr !== '';
  }

  /** Sends what the task wrote, its unfinished lines too: the chunk has ended. */
  async outputSent(): Promise<void> {
    await this.#sending;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partialLines[stream]) this.#lines.push({ chunk: this.call.summary, stream, text: this.#partialLines[stream] });
      this.#partialLines[stream] = '';
    }
    await this.#send();
  }

  async #send(): Promise<void> {
    this.#sending = undefined;
    const lines = this.#lines.splice(0);
    if (lines.length === 0) return;
    await this.store.output.append(this.runId, lines).catch((error: Error) => processStderr(`mpflow: ${this.call.summary}: lost ${lines.length} line(s) of its output: ${error.message}\n`));
  }
}

function nested(what: string): ProcessError {
  return new ProcessError(`cannot start ${what} from inside a task: nested pools and processes are not supported yet`);
}

/**
 * Makes what a task does to its process the outcome of that task alone, where tasks share a
 * process (a thread of the local backend, a Lambda container): `process.exit(code)` ends the
 * task with SystemExit, as `sys.exit` ends a Python process, and an error thrown or a promise
 * rejected where no caller catches it (in a timer, an event handler) fails the task that started it.
 */
export function trapTaskExits(): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    if (!runningTask()) return exit(code);
    throw SystemExit.of(Number(code ?? process.exitCode ?? 0) || 0);
  }) as typeof process.exit;
  const failTask = (error: unknown) => {
    const task = runningTask();
    if (task) return task.fail(error);
    console.error('mpflow: an error outside any task', error);
    exit(1);
  };
  process.on('uncaughtException', failTask);
  process.on('unhandledRejection', failTask);
}

/**
 * What a task writes to stdout and stderr (console.log included) goes to its run's output in
 * Redis, marked with its chunk, wherever the task runs: the driver prints it (as Lithops'
 * stream-stdout does) and `mpflow logs` prints it after the run. Writes outside tasks pass;
 * with `passThrough` (a Lambda function, whose own log is CloudWatch) the task's writes too.
 */
export function captureTaskOutput({ passThrough = false } = {}): void {
  const stderrWrite = process.stderr.write.bind(process.stderr);
  processStderr = (text) => stderrWrite(text);
  for (const stream of ['stdout', 'stderr'] as const) {
    const write = process[stream].write.bind(process[stream]);
    process[stream].write = ((text: string | Uint8Array, ...rest: unknown[]) => {
      const task = runningTask();
      task?.write(stream, typeof text === 'string' ? text : Buffer.from(text).toString());
      if (!task || passThrough) return (write as (...args: unknown[]) => boolean)(text, ...rest);
      (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
  }
}

function runningTask(): TaskTransport | undefined {
  const running = currentTransport();
  return running instanceof TaskTransport ? running : undefined;
}

/**
 * Runs a chunk's items and resolves to `dumps(Outcome)`: the task's errors are outcomes too.
 * Not reaching Redis is not the task's error (Redis may be restarting): it rejects, and the
 * chunk is retried like any other backend failure.
 */
export async function runChunk({ call, context }: ThreadRequest): Promise<Uint8Array> {
  const self = call.process ?? { name: `PoolWorker-${(call.slot?.index ?? 0) + 1}`, pid: threadId };
  const store = await redisStore(context.redisUrl);
  const transport = new TaskTransport(store, context, call, self);
  let outcome: Outcome;
  try {
    const tasks = await loadTasks(context.tasksModule);
    outcome = [true, await runWithTransport(transport, () => Promise.race([execute(tasks, call, context), transport.failed]))];
  } catch (error) {
    outcome = [false, error instanceof Error ? error : new Error(String(error))];
  }
  if (transport.outputPending) await transport.outputSent();
  try {
    return dumps(outcome, `the result of ${call.summary}`);
  } catch (error) {
    return dumps([false, error]);
  }
}

async function execute(tasks: TasksModule, call: ChunkCall, context: RunContext): Promise<unknown[]> {
  const task = lookup(tasks, call.task, context.tasksModule);
  const slot = call.slot;
  if (slot?.initializer) {
    const key = `${slot.poolId}/${slot.index}/${slot.generation}`;
    if (!initializedSlots.has(key)) {
      await lookup(tasks, slot.initializer, context.tasksModule)(...loads<unknown[]>(slot.initargs!));
      initializedSlots.add(key);
    }
  }
  const results: unknown[] = [];
  for (const args of loads<unknown[][]>(call.items)) results.push(await task(...args));
  return results;
}

function lookup(tasks: TasksModule, name: string, tasksModule: string): (...args: unknown[]) => unknown {
  const task = tasks[name];
  if (typeof task !== 'function') {
    const exported = Object.keys(tasks).filter((key) => typeof tasks[key] === 'function');
    throw new ProcessError(`unknown task '${name}': ${tasksModule} exports no function by that name (it exports: ${exported.join(', ') || 'none'})`);
  }
  return task as (...args: unknown[]) => unknown;
}

/** A tasks module bundled with its runner (the Lambda handler) answers for `path` without being imported. */
export function provideTasks(path: string, tasks: TasksModule): void {
  modules.set(path, Promise.resolve(tasks));
}

function loadTasks(path: string): Promise<TasksModule> {
  let loaded = modules.get(path);
  if (!loaded) {
    resolveMpflowToThisCopy();
    loaded = import(pathToFileURL(path).href).catch((error: Error) => {
      modules.delete(path);
      throw new ProcessError(`cannot load the tasks module ${path}: ${error.message}`, { cause: error });
    });
    modules.set(path, loaded);
  }
  return loaded;
}

let leases: Leases | undefined;

/** Who keeps the leases of locks taken here: this thread's parent, instead of the store itself. */
export function keepLeasesWith(keeper: Leases): void {
  leases = keeper;
}

/** This thread's (or container's) Redis connection to `url`, made on first use; the process's environment holds the encryption key (a Lambda function's, set by deploy). */
export function redisStore(url: string): Promise<RedisStore> {
  let store = stores.get(url);
  if (!store) {
    store = RedisStore.connect(url, { leases, cipher: ValueCipher.fromKeys(process.env.MPFLOW_ENCRYPTION_KEY) });
    stores.set(url, store);
    store.catch(() => stores.delete(url));
  }
  return store;
}
