/** mpflow: Python's multiprocessing for TypeScript, made durable. The package's public API. */
export { asyncDispose } from './dispose.js';
export { BaseContext, getContext } from './context.js';
export { BrokenBarrierError, Empty, Full, ProcessError, RemoteError, TimeoutError, ValueError } from './errors.js';
export { AsyncResult, IMapIterator, MapResult, Pool } from './pool.js';
export type { ApplyOptions, MapOptions, PoolOptions, ResultCallbacks } from './pool.js';
export { Process, activeChildren, cpuCount, currentProcess, parentProcess } from './process.js';
export type { ProcessOptions } from './process.js';
export { Queue } from './queues.js';
export { dumps, loads } from './serialization.js';
export { proxyTasks, taskRef } from './tasks.js';
export type { TaskRef, TaskRefs } from './tasks.js';
export type { Duration } from './duration.js';
