// Loaded into every test process (`npm test`): a test file must leave nothing open. Once its
// tests are done the process should exit by itself; if something still holds it (a connection,
// a timer, a thread) ten seconds later, this names what and fails the file. Plain JavaScript,
// and a no-op in worker threads: threads inherit `--import` but not the TypeScript loader.
import { Socket } from 'node:net';
import { after } from 'node:test';
import { isMainThread } from 'node:worker_threads';

const GRACE_MS = 10_000;

/** Which server each open socket talks to: the port tells whose connection outlived its tests (Redis, Temporal, S3, …). */
function openSockets() {
  return process
    ._getActiveHandles()
    .filter((handle) => handle instanceof Socket && handle.remotePort !== undefined)
    .map((socket) => `${socket.remoteAddress}:${socket.remotePort}`);
}

if (isMainThread) {
  after(() => {
    setTimeout(() => {
      const sockets = openSockets();
      console.error(
        `a test file left handles open ${GRACE_MS / 1000} s after its tests ended: ${process.getActiveResourcesInfo().join(', ')}` +
          (sockets.length > 0 ? ` (sockets to ${sockets.join(', ')})` : ''),
      );
      process.exit(1);
    }, GRACE_MS).unref();
  });
}
