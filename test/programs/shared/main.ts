/**
 * The shared-state program's main module: one scenario module per mp-shim family, each
 * scenario an exported function that a test runs on every engine (and test/lambda.test.ts on
 * the Lambda backend).
 */
export * from './connection.js';
export * from './futures.js';
export * from './handles.js';
export * from './managers.js';
export * from './queues.js';
export * from './sharedctypes.js';
export * from './synchronize.js';
