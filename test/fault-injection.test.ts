import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { devStop, resolveEndpoints } from '../infra/dev-stack.js';
import { RedisStore } from '../state/store.js';
import { connectClient, mainResult, startMain } from '../workers/client.js';
import { readConfig, storageUrl, type Endpoints } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { dataConverter } from '../workers/worker.js';
import { correctAnswer, lostAndDuplicated } from './programs/faults/expected.js';

/**
 * Killed runs: `npm run soak` sets MPFLOW_FAULT_RUNS=50 and MPFLOW_SOAK_OUT for its summary;
 * `npm test` runs none. A kill that lands inside a task chunk makes Temporal run that chunk
 * again (chunks are at least once), and a task that consumes from a queue then waits for items
 * its dead attempt took: the soak counts such runs as stuck instead of waiting for them.
 */
const RUNS = Number(process.env.MPFLOW_FAULT_RUNS ?? 0);
/** A killed run takes 5 to 15 s here; one that has not finished long after is stuck. */
const RUN_DEADLINE_MS = 120_000;
const ROUNDS = 3;
/** History events of a run whose main program is well under way (it has 150 to 250 when done). */
const RUNNING_EVENTS = 30;
const ITEMS = 10;
const program = resolveProgram('test/programs/faults');
const config = readConfig();

describe(`faults in the middle of a run that uses every primitive: Temporal and Redis restarted, the worker killed (kill -9) at a random moment ${RUNS} times`, { timeout: (RUNS + 2) * 180_000 }, () => {
  let endpoints: Endpoints;
  let store: RedisStore;
  let client: Client;
  const workers = new Set<ChildProcess>();
  const summary = { runs: 0, kills: 0, correct: 0, stuck: 0, itemsLost: 0, duplicates: 0, seconds: 0 };

  before(async () => {
    endpoints = await resolveEndpoints(config, { temporal: true });
    store = await RedisStore.connect(endpoints.redisUrl);
    client = await connectClient(endpoints, dataConverter(config, store));
  });

  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await client.connection.close();
    await store.close();
    console.log(`soak: ${JSON.stringify(summary)}`);
    if (process.env.MPFLOW_SOAK_OUT) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync(process.env.MPFLOW_SOAK_OUT, `${JSON.stringify({ ...summary, date: new Date().toISOString() }, null, 2)}\n`);
    }
  });

  /** `mpflow worker` in a process of its own: what a user starts, and what the test kills. */
  function startWorker(): ChildProcess {
    const env = { ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, MPFLOW_REDIS_URL: endpoints.redisUrl };
    const worker = spawn(process.execPath, ['cli/bin.js', 'worker', program.dir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    workers.add(worker);
    worker.once('exit', () => workers.delete(worker));
    return worker;
  }

  /** Starts the program on a worker of its own. */
  async function startRun() {
    const worker = startWorker();
    const handle = await startMain(client, {
      program,
      entry: 'everyPrimitive',
      args: [ROUNDS, ITEMS],
      options: { cpuCount: config.threads, storage: storageUrl(config), pricing: config.pricing, heartbeatTimeoutMs: 2_000 },
    });
    return { worker, handle };
  }

  for (const server of ['temporal', 'redis'] as const) {
    it(`${server === 'temporal' ? 'Temporal (on its persistent database)' : 'Redis (from its append-only file)'} restarted in the middle of the run: the run completes with the correct answer`, async (t) => {
      if (server === 'temporal' ? config.endpoints.temporalAddress : config.endpoints.redisUrl) return t.skip(`restarts only the dev stack's ${server}`);
      const { handle } = await startRun();
      await sleep(3_000);
      if (!(await devStop(config.dev, server))) return t.skip(`this checkout did not start the dev stack's ${server}`);
      await resolveEndpoints(config, { temporal: true }); // starts it again
      const answer = (await mainResult(handle)) as ReturnType<typeof correctAnswer>;
      const { lost, duplicated } = lostAndDuplicated(answer.consumed, ROUNDS, ITEMS);
      t.diagnostic(`${lost} items lost, ${duplicated} doubled`);
      assert.deepEqual(answer, correctAnswer(ROUNDS, ITEMS));
    });
  }

  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: a fresh worker finishes the run with the answer of a run without faults: no item lost or doubled, no lock left held`, async (t) => {
      const started = performance.now();
      const { worker: first, handle } = await startRun();
      // Once the run is under way (its history has grown), at a random moment of the next 1.5 s.
      while (((await handle.describe()).historyLength ?? 0) < RUNNING_EVENTS) await sleep(50);
      const killAfterMs = Math.round(Math.random() * 1_500);
      const result = mainResult(handle);
      const finishedFirst = await Promise.race([result.then(() => true, () => true), sleep(killAfterMs, false)]);
      assert.equal(finishedFirst, false, 'the run ended before the kill: the program is too short to test anything');
      first.kill('SIGKILL');
      await once(first, 'exit');
      summary.kills++;
      const second = startWorker();
      try {
        const deadline = sleep(RUN_DEADLINE_MS, 'stuck' as const, { ref: false });
        const outcome = await Promise.race([result, deadline]);
        if (outcome === 'stuck') {
          summary.stuck++;
          await handle.terminate('the fault suite gave up on it');
          assert.fail(`the run did not finish within ${RUN_DEADLINE_MS / 1000} s of the kill`);
        }
        const answer = outcome as ReturnType<typeof correctAnswer>;
        const { lost, duplicated } = lostAndDuplicated(answer.consumed, ROUNDS, ITEMS);
        summary.itemsLost += lost;
        summary.duplicates += duplicated;
        summary.runs++;
        t.diagnostic(`worker killed ${killAfterMs} ms into the run; ${lost} items lost, ${duplicated} doubled`);
        assert.deepEqual(answer, correctAnswer(ROUNDS, ITEMS));
        summary.correct++;
      } finally {
        summary.seconds = Math.round(summary.seconds + (performance.now() - started) / 1000);
        first.kill('SIGKILL');
        second.kill('SIGKILL');
      }
    });
  }
});
