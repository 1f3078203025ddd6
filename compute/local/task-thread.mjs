// A thread of the local backend. Worker threads do not inherit the parent's module hooks:
// register tsx here (tasks.ts is TypeScript, in an ES module or a CommonJS project), then load
// the task runner the parent names (its sources or its compiled form) and answer requests by
// id, batched as ThreadRequests and ThreadReplies (thread-pool.ts). Lock leases go to the
// parent, which renews them however busy this thread's tasks keep it.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { register as registerImport } from 'tsx/esm/api';
import { register as registerRequire } from 'tsx/cjs/api';

registerImport();
registerRequire();
const { runChunk, keepLeasesWith, trapTaskExits, captureTaskOutput } = await import(pathToFileURL(workerData.taskRuntime).href);
const { ParentLeases } = await import(pathToFileURL(workerData.threadLeases).href);

const leases = new ParentLeases((notice) => parentPort.postMessage(notice));
keepLeasesWith(leases);
trapTaskExits();
captureTaskOutput();

// Replies ready in one turn of the event loop go back in one message (ThreadReplies).
const replies = [];
function reply(answer) {
  if (replies.push(answer) === 1) setImmediate(() => parentPort.postMessage({ replies: replies.splice(0) }));
}

parentPort.on('message', (message) => {
  if (message.lease === 'lost') return leases.lost(message.lock, message.owner, message.reason);
  for (const { id, request } of message.requests) {
    runChunk(request).then(
      (result) => reply({ id, result }),
      (error) => reply({ id, error: String(error?.stack ?? error) }),
    );
  }
});
