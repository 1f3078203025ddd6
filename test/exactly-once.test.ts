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

describe("a run's cleanup", { timeout: 300_000 }, () => {
  let activityDispatch: Harness;
  let queueDispatch: Harness;
  before(async () => {
    activityDispatch = await harness('temporal', 'test/programs/semantics', { dispatch: 'activity' });
    queueDispatch = await harness('temporal', 'test/programs/semantics', { dispatch: 'queue' });
  });
  after(async () => {
    await activityDispatch.close();
    await queueDispatch.close();
  });

  /** The activities a run's history schedules, by type. */
  async function scheduled(handle: Awaited<ReturnType<NonNullable<Harness['start']>>>): Promise<string[]> {
    const events = (await handle.fetchHistory()).events ?? [];
    return events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  }

  it('is a local activity of the last workflow task when no shared-state operation ran in that task: no activity task and no workflow task more', async () => {
    const handle = await activityDispatch.start!('mapSquares', 4);
    assert.deepEqual(await mainResult(handle), [0, 1, 4, 9]);
    assert.ok(!(await scheduled(handle)).includes('cleanupRun'), 'the cleanup was an activity');
  });

  it('is an activity when shared-state operations ran in that task (a queue-dispatch pool stopping), which a failed task would run again after the keys were gone', async () => {
    const handle = await queueDispatch.start!('mapSquares', 4);
    assert.deepEqual(await mainResult(handle), [0, 1, 4, 9]);
    assert.ok((await scheduled(handle)).includes('cleanupRun'), 'the cleanup was a local activity');
  });

  it('run again, removes what is left and answers the usage it first read; a later run with the same id reads its own', async () => {
    const { store, endpoints } = activityDispatch;
    const run = `cleanup-${Date.now()}`;
    await store.usage.add(run, { billedMs: 100, memoryMb: 1024, redisCommands: 7 });
    const first = await store.cleanupRun(run, 'execution-1');
    const again = await store.cleanupRun(run, 'execution-1');
    assert.deepEqual(again, first);
    assert.equal(first.invocations, 1);
    assert.equal((await store.cleanupRun(run, 'execution-2')).invocations, 0);
    const redis = new Redis(endpoints.redisUrl);
    assert.deepEqual(await redis.keys(runKeys(run).all), []);
    redis.disconnect();
  });
});
