// One container of the local Lambda endpoint: a process that loads a function's handler once
// (its cold start) and runs the invocations the endpoint sends it, one at a time, as Lambda does.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [codeDir, handlerSpec, functionName, memory] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const [file, exportName] = [handlerSpec.slice(0, dot), handlerSpec.slice(dot + 1)];

async function loadHandler() {
  for (const extension of ['.mjs', '.js', '.cjs']) {
    try {
      const module = await import(pathToFileURL(join(codeDir, file + extension)).href);
      if (typeof module[exportName] === 'function') return module[exportName];
      throw Object.assign(new Error(`${file}.${exportName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
    } catch (error) {
      if (error.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(file + extension)) throw error;
    }
  }
  throw Object.assign(new Error(`Cannot find module '${file}'`), { name: 'Runtime.ImportModuleError' });
}

const handler = loadHandler();
// The init phase ends here, loaded or not: a load error is what the first invocation answers.
handler.then(
  () => process.send({ ready: true }),
  () => process.send({ ready: true }),
);

process.on('message', async ({ requestId, event, deadline }) => {
  const context = {
    awsRequestId: requestId,
    functionName,
    memoryLimitInMB: memory,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  try {
    const result = await (await handler)(event, context);
    process.send({ requestId, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    process.send({ requestId, ok: false, error: { errorType: failure.name, errorMessage: failure.message, trace: (failure.stack ?? '').split('\n') } });
  }
});
