/** mpflow/fs where Node runs the code (tasks, the local engine's main program): its streams are Node's. */
export * from './index.js';
export { createReadStream, createWriteStream, ReadStream, WriteStream } from './node-streams.js';
