/** mpflow where Node runs the code (tasks, the local engine's main program): `fs` with Node's streams. */
export * from './index.js';
export * as fs from './fs/node.js';
