import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { TEST_HOOKS } from '../activities/index.js';
import { runKeys } from '../state/keys.js';
import { mainResult, startMain } from '../workers/client.js';
import { storageUrl } from '../workers/config.js';
import type { TestHooks } from '../workflows/definitions.js';
import { harness, type Harness } from '../testing/harness.js';
import { correctAnswer } from './programs/faults/expected.js';

const ROUNDS = 2;
const ITEMS = 10;

const CORRECT = correctAnswer(ROUNDS, ITEMS);

describe('shared-state operations run at most once in effect', { timeout: 600_000 }, () => {
  let local: Harness;
  let durable: Harness;
  before(async () => {
    local = await harness('local', 'test/programs/faults');
    durable = await harness('temporal', 'test/programs/faults');
  });
  after(async () => {
    await local.close();
    await durable.close();
  });

  /** Starts the program on the durable engine with a test hook's faults. */
  function startWith(testHooks: TestHooks) {
    const options = { cpuCount: durable.config.threads, storage: storageUrl(durable.config), pricing: durable.config.pricing, testHooks };
    return startMain(durable.client!, { program: durable.program, entry: 'everyPrimitive', args: [ROUNDS, ITEMS], taskQueue: durable.taskQueue, options });
  }

  it('the program that uses every primitive gives its correct answer on the local engine', async () => {
    assert.deepEqual(await local.run('everyPrimitive', ROUNDS, ITEMS), CORRECT);
  });

  it('the same answer on the durable engine when workflow tasks fail right after their local activities ran, so the retried task replays the run and runs those operations again', async (t) => {
    const handle = await startWith({ failWorkflowTasks: true });
    assert.deepEqual(await mainResult(handle), CORRECT);
    const events = (await handle.fetchHistory()).events ?? [];
    const failedTasks = events.filter((event) => event.workflowTaskFailedEventAttributes).length;
    t.diagnostic(`${failedTasks} workflow tasks failed after their local activities ran`);
    assert.ok(failedTasks >= 3, `only ${failedTasks} workflow tasks failed`);
  });

  it('the same answer on the durable engine when the first answer of every kind of main-program operation is lost after it was applied, so Temporal runs it again', async (t) => {
    const handle = await startWith({ loseFirstAnswers: true });
    assert.deepEqual(await mainResult(handle), CORRECT);
    const redis = new Redis(durable.endpoints.redisUrl);
    const repeated = Number(await redis.get(runKeys(TEST_HOOKS).counter(`${handle.workflowId}:answers lost`)));
    redis.disconnect();
    t.diagnostic(`${repeated} kinds of operation were applied, had their answer lost, and ran again`);
    assert.ok(repeated >= 15, `only ${repeated} kinds of operation ran twice`);
  });

  for (const engine of ['local', 'temporal'] as const) {
    it(`a task run again after its thread died repeats its operations and gets their first answers, so they apply once (${engine} engine)`, async () => {
      const ranOnce = join(mkdtempSync(join(tmpdir(), 'mpflow-once-')), 'ran-once');
      const answer = await (engine === 'local' ? local : durable).run('processRunAgain', ranOnce);
      assert.ok(existsSync(ranOnce), 'the first attempt did not run');
      assert.deepEqual(answer, { exitCode: 0, counter: 1, queued: 1, first: 7 });
    });
  }
});
