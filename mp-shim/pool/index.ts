/** Process pools (CPython: multiprocessing/pool.py): the pool, its results, and its two ways of dispatching chunks. */
export { Pool } from './pool.js';
export type { ApplyOptions, MapOptions, PoolOptions, StragglerOptions } from './pool.js';
export { AsyncResult, IMapIterator, MapResult } from './results.js';
export type { ResultCallbacks } from './results.js';
export type { Dispatch } from '../transport.js';
