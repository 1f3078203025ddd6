/**
 * The public API as a context (CPython: multiprocessing/context.py): one object
 * exposing every factory, bound to where the program runs. The package exports
 * the default context's members at its top level.
 */
import { Pipe } from './connection.js';
import { ValueError } from './errors.js';
import { Manager } from './managers.js';
import { Pool } from './pool/index.js';
import { Process, activeChildren, cpuCount, currentProcess, parentProcess } from './process.js';
import { JoinableQueue, Queue, SimpleQueue } from './queues.js';
import { Array, RawArray, RawValue, Value } from './sharedctypes.js';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from './synchronize.js';
import { transport } from './transport.js';

export class BaseContext {
  readonly Pool = Pool;
  readonly Process = Process;
  readonly Queue = Queue;
  readonly SimpleQueue = SimpleQueue;
  readonly JoinableQueue = JoinableQueue;
  readonly Pipe = Pipe;
  readonly Lock = Lock;
  readonly RLock = RLock;
  readonly Semaphore = Semaphore;
  readonly BoundedSemaphore = BoundedSemaphore;
  readonly Condition = Condition;
  readonly Event = Event;
  readonly Barrier = Barrier;
  readonly Value = Value;
  readonly Array = Array;
  readonly RawValue = RawValue;
  readonly RawArray = RawArray;
  readonly Manager = Manager;
  readonly cpuCount = cpuCount;
  readonly currentProcess = currentProcess;
  readonly parentProcess = parentProcess;
  readonly activeChildren = activeChildren;

  /** The engine this context runs on: `temporal` (durable), `local`, or `task` (inside a task). */
  get engine(): string {
    return transport().engine;
  }
}

const defaultContext = new BaseContext();

/** The context for `method`: the engine the program runs on (the only one there is in a run). */
export function getContext(method?: string): BaseContext {
  if (method !== undefined && method !== defaultContext.engine) {
    throw new ValueError(`cannot find context for '${method}': this program runs on the '${defaultContext.engine}' engine`);
  }
  return defaultContext;
}
