/**
 * The semantics program's main module: one scenario module per behaviour, each scenario an
 * exported function that test/<behaviour>.test.ts runs on every engine.
 */
export * from './errors.js';
export * from './pool.js';
export * from './process.js';
export * from './queues.js';
export * from './serialization.js';
export * from './stragglers.js';
