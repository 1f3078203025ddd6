// A thread of the local backend. Worker threads do not inherit the parent's module hooks:
// register tsx here, then load the TypeScript task runner and answer requests by id.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runChunk } = await import('../task-runtime.ts');

parentPort.on('message', ({ id, request }) => {
  runChunk(request).then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: String(error?.stack ?? error) }),
  );
});
