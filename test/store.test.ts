import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { RedisStore } from '../state/store.js';
import { readConfig } from '../workers/config.js';

describe('closing a store', () => {
  it('ends a wait in progress on it, which rejects at once instead of holding its connection open', async () => {
    const { redisUrl } = await resolveEndpoints(readConfig(), { temporal: false });
    const store = await RedisStore.connect(redisUrl);
    const run = `store-close-${randomUUID()}`;
    const waiting = store.execute(run, { op: 'queue.get', key: 'empty', block: true });
    await sleep(200);
    await store.close();
    const outcome = await Promise.race([waiting.then(() => 'answered', (error: Error) => error.message), sleep(1_000, 'still waiting')]);
    assert.equal(outcome, 'Connection is closed.');
  });
});
