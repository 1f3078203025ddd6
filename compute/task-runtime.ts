/**
 * A compute thread of the local backend. Loads the program's tasks module once,
 * runs chunks, and gives tasks a Transport of their own: their shared-state
 * operations go straight to Redis.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { RedisStore } from '../state/store.js';
// Every shared kind registers itself when its module loads; a tasks module may import them as types only.
import '../mp-shim/index.js';
import { ProcessError } from '../mp-shim/errors.js';
import { dumps, loads } from '../mp-shim/serialization.js';
import { installTransport, type ChunkCall, type Launch, type Outcome, type PoolSpec, type PoolWorkers, type ProcessIdentity } from '../mp-shim/transport.js';
import type { RunContext } from './backend.js';
import { MAIN_PROCESS, NodeTransport } from './node-transport.js';

export interface ThreadRequest {
  call: ChunkCall;
  context: RunContext;
}

interface TaskScope {
  context: RunContext;
  self: ProcessIdentity;
  /** Identifies this task execution as the holder of the locks it takes. */
  owner: string;
}

type TasksModule = Record<string, unknown>;

const scope = new AsyncLocalStorage<TaskScope>();
const modules = new Map<string, Promise<TasksModule>>();
const stores = new Map<string, Promise<RedisStore>>();
/** Worker slots whose initializer already ran on this thread: `pool/slot/generation`. */
const initializedSlots = new Set<string>();

/** Locks taken in a task are leased: if the thread or process dies, they are free again after this long. */
const TASK_LOCK_LEASE_MS = Number(process.env.MPFLOW_LOCK_LEASE_MS) || 60_000;

class TaskTransport extends NodeTransport {
  readonly engine = 'task';
  readonly lockLeaseMs = TASK_LOCK_LEASE_MS;

  get runId(): string {
    return current().context.runId;
  }

  get storage(): string {
    return current().context.storage;
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
    return runChunk({ call, context: current().context });
  }

  ownerId(): string {
    return current().owner;
  }

  processIdentity() {
    return { self: current().self, parent: MAIN_PROCESS };
  }
}

function nested(what: string): ProcessError {
  return new ProcessError(`cannot start ${what} from inside a task: nested pools and processes are not supported yet`);
}

function current(): TaskScope {
  const active = scope.getStore();
  if (!active) throw new ProcessError('mpflow shared state was used outside a running task');
  return active;
}

let transportStore: RedisStore | undefined;

export default async function runChunk({ call, context }: ThreadRequest): Promise<Uint8Array> {
  const self = call.process ?? { name: `PoolWorker-${(call.slot?.index ?? 0) + 1}`, pid: threadId };
  return scope.run({ context, self, owner: `${context.runId}/${randomUUID()}` }, async () => {
    let outcome: Outcome;
    try {
      outcome = [true, await execute(call, context)];
    } catch (error) {
      outcome = [false, error instanceof Error ? error : new Error(String(error))];
    }
    try {
      return dumps(outcome, `the result of ${call.summary}`);
    } catch (error) {
      return dumps([false, error]);
    }
  });
}

async function execute(call: ChunkCall, context: RunContext): Promise<unknown[]> {
  const [tasks] = await Promise.all([loadTasks(context.tasksModule), connectTransport(context.redisUrl)]);
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
    loaded = import(pathToFileURL(path).href).catch((error: Error) => {
      modules.delete(path);
      throw new ProcessError(`cannot load the tasks module ${path}: ${error.message}`, { cause: error });
    });
    modules.set(path, loaded);
  }
  return loaded;
}

/** This thread's Redis connection to `url`, made on first use. */
export function redisStore(url: string): Promise<RedisStore> {
  let store = stores.get(url);
  if (!store) {
    store = RedisStore.connect(url);
    stores.set(url, store);
    store.catch(() => stores.delete(url));
  }
  return store;
}

/** The tasks' transport goes through this thread's connection to `url`. */
async function connectTransport(url: string): Promise<void> {
  const connected = await redisStore(url);
  if (transportStore !== connected) {
    transportStore = connected;
    installTransport(new TaskTransport(connected));
  }
}
