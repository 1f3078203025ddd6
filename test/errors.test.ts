import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalBackend } from '../compute/local/backend.js';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { dumps } from '../mp-shim/serialization.js';
import { RedisStore } from '../state/store.js';
import { readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { RemoteError } from '../mp-shim/errors.js';
import { connectClient } from '../workers/client.js';
import { onEveryEngine, timed } from '../testing/harness.js';

onEveryEngine('errors', 'test/programs/semantics', (h) => {
  it('a map returned from inside `await using` that fails while another chunk runs rejects once, never as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      await assert.rejects(h().run('failedMapReturnedFromAwaitUsing'), { name: 'RangeError', message: 'failed while a sibling chunk still ran' });
    } finally {
      process.off('unhandledRejection', record);
    }
    assert.deepEqual(unhandled, []);
  });

  it("a task's exception reaches the caller with its class and the task's stack", async () => {
    await assert.rejects(h().run('taskErrorPropagates'), (error: Error) => {
      assert.ok(error instanceof RangeError, `expected a RangeError, got ${error.name}`);
      assert.equal(error.message, 'bad input');
      assert.match(error.stack!, /semantics\/tasks\.ts/);
      return true;
    });
  });

  it('an exception of a class unknown here arrives as RemoteError naming the class', async () => {
    await assert.rejects(h().run('taskErrorOfUnknownClass'), (error: Error) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.name, 'DatabaseError');
      assert.equal((error as RemoteError).remoteName, 'DatabaseError');
      assert.equal(error.message, 'connection refused');
      assert.match(error.stack!, /failWithOwnClass/);
      return true;
    });
  });

  it('an unknown task name fails at once with the names that exist', async () => {
    const [outcome] = await timed(() => h().run('unknownTask').then(() => undefined, (e: Error) => e));
    assert.equal(outcome?.name, 'ProcessError');
    assert.match(outcome!.message, /^unknown task 'noSuchTask': .*tasks\.ts exports no function by that name \(it exports: .*square/);
  });

  it('a non-serializable argument fails the call, naming the argument, before anything runs', async () => {
    await assert.rejects(h().run('nonSerializableArgument'), {
      name: 'TypeError',
      message: 'cannot serialize the arguments of echo (chunk 2 of map)[0][0]: a function cannot be sent to another process',
    });
  });

  it('a non-serializable result fails the call, naming the task', async () => {
    await assert.rejects(h().run('nonSerializableResult'), {
      name: 'TypeError',
      message: /^cannot serialize the result of returnsFunction · apply 0 · chunk 1\/1\[1\]\[0\]: a function/,
    });
  });

  it('a task that throws is not retried', async () => {
    assert.equal(await h().run('taskErrorsAreNotRetried'), 1);
  });

  it("the main program's own exception reaches the caller with its class", async () => {
    await assert.rejects(h().run('mainThrows'), { name: 'SyntaxError', message: 'the main program gave up' });
  });
});

describe('unreachable servers', () => {
  it('Redis unreachable is a clear error at once', async () => {
    const [error, ms] = await timed(() => RedisStore.connect('redis://127.0.0.1:1').then(() => undefined, (e: Error) => e));
    assert.match(error!.message, /^cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*MPFLOW_REDIS_URL/);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it("a task's thread that cannot reach Redis fails its chunk as the backend's failure, which is retried, not as the task's error (Redis may be restarting)", async () => {
    const store = await RedisStore.connect(readConfig().endpoints.redisUrl ?? (await resolveEndpoints(readConfig(), { temporal: false })).redisUrl);
    const backend = new LocalBackend(1, store);
    try {
      const call = { id: 'unreachable', task: 'square', items: dumps([[3]]), summary: 'square · chunk 1/1' };
      const context = { runId: `unreachable-${Date.now()}`, tasksModule: resolveProgram('test/programs/semantics').tasks, redisUrl: 'redis://127.0.0.1:1', storage: 'file:///tmp', lockLeaseMs: 10_000 };
      await assert.rejects(backend.run(call, context, new AbortController().signal), { name: 'ThreadLostError', message: /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/ });
    } finally {
      await backend.close();
      await store.close();
    }
  });

  it('Temporal unreachable is a clear error at once', async () => {
    const endpoints = { temporalAddress: '127.0.0.1:1', temporalNamespace: 'default', redisUrl: '' };
    const [error, ms] = await timed(() => connectClient(endpoints, undefined as never).then(() => undefined, (e: Error) => e));
    assert.match(error!.message, /^cannot reach Temporal at 127\.0\.0\.1:1: .*TEMPORAL_ADDRESS/);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });
});
