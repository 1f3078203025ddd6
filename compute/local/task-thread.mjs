// A thread of the local backend. Worker threads do not inherit the parent's module hooks:
// register tsx here (tasks.ts is TypeScript, in an ES module or a CommonJS project), then load
// the task runner the parent names (its sources or its compiled form) and answer requests by
// id. Lock leases go to the parent, which renews them however busy this thread's tasks keep it.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { register as registerImport } from 'tsx/esm/api';
import { register as registerRequire } from 'tsx/cjs/api';

registerImport();
registerRequire();
const { runChunk, keepLeasesWith, trapTaskExits } = await import(pathToFileURL(workerData.taskRuntime).href);
const { ParentLeases } = await import(pathToFileURL(workerData.threadLeases).href);

const leases = new ParentLeases((notice) => parentPort.postMessage(notice));
keepLeasesWith(leases);
trapTaskExits();

parentPort.on('message', (message) => {
  if (message.lease === 'lost') return leases.lost(message.lock, message.owner, message.reason);
  const { id, request } = message;
  runChunk(request).then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: String(error?.stack ?? error) }),
  );
});
