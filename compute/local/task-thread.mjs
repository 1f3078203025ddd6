// A thread of the local backend. Worker threads do not inherit the parent's module hooks:
// register tsx here, then load the TypeScript task runner and answer requests by id. Lock
// leases go to the parent, which renews them however busy this thread's tasks keep it.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runChunk, keepLeasesWith } = await import('../task-runtime.ts');
const { ParentLeases } = await import('./thread-leases.ts');

const leases = new ParentLeases((notice) => parentPort.postMessage(notice));
keepLeasesWith(leases);

parentPort.on('message', (message) => {
  if (message.lease === 'lost') return leases.lost(message.lock, message.owner, message.reason);
  const { id, request } = message;
  runChunk(request).then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: String(error?.stack ?? error) }),
  );
});
