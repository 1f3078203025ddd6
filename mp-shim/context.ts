/**
 * The public API as a context (CPython: multiprocessing/context.py): one object
 * exposing every factory, bound to where the program runs. The package exports
 * the default context's members at its top level.
 */
import { ValueError } from './errors.js';
import { Pool } from './pool.js';
import { Process, activeChildren, cpuCount, currentProcess, parentProcess } from './process.js';
import { Queue } from './queues.js';
import { transport } from './transport.js';

export class BaseContext {
  readonly Pool = Pool;
  readonly Process = Process;
  readonly Queue = Queue;
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
