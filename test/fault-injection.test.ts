import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { devStop, resolveEndpoints } from '../infra/dev-stack.js';
import { workerProcess } from '../testing/harness.js';
import { RedisStore } from '../state/store.js';
import { connectClient, mainResult, startMain } from '../workers/client.js';
import { readConfig, storageUrl, type Endpoints } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { dataConverter } from '../workers/worker.js';
import { correctAnswer, lostAndDuplicated } from './programs/faults/expected.js';

/** Killed runs: 5 in `npm test`; `npm run soak` sets MPFLOW_FAULT_RUNS=50 and MPFLOW_SOAK_OUT for its summary. */
const RUNS = Number(process.env.MPFLOW_FAULT_RUNS ?? 5);
/** A killed run takes 3 to 15 s here; one that has not finished long after is stuck. */
const RUN_DEADLINE_MS = 120_000;
/**
 * A task that ended this long before the kill had its outcome stored (queue dispatch) or
 * reported (a Process's activity) well before it: it must not run again.
 */
const SETTLED_MS = 2_000;
const ROUNDS = 3;
/** History events of a run whose main program is well under way, and fewest a run has when done. */
const RUNNING_EVENTS = 30;
const DONE_EVENTS = 150;
const ITEMS = 10;
/** On a task queue of this file's own, which the workers it starts are given too. */
const program = resolveProgram('test/programs/faults', `test-faults-${process.pid}`);
const config = readConfig();

describe(`faults in the middle of a run that uses every primitive: Temporal and Redis restarted, the worker killed (kill -9) at a random moment ${RUNS} times`, { timeout: (RUNS + 2) * 180_000 }, () => {
  let endpoints: Endpoints;
  let store: RedisStore;
  let client: Client;
  const workers = new Set<ChildProcess>();
  const summary = { runs: 0, kills: 0, correct: 0, stuck: 0, itemsLost: 0, duplicates: 0, tasksRunAgain: 0, seconds: 0 };
  const logs = mkdtempSync(join(tmpdir(), 'mpflow-faults-'));

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

  /** A worker whose tasks note their runs in `log`. */
  function startWorker(log = ''): ChildProcess {
    const worker = workerProcess(program, endpoints, { MPFLOW_FAULT_LOG: log });
    workers.add(worker);
    worker.once('exit', () => workers.delete(worker));
    return worker;
  }

  /** Starts the program on a worker of its own. */
  async function startRun(log?: string) {
    const worker = startWorker(log);
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
      const { worker, handle } = await startRun();
      try {
        await sleep(3_000);
        if (!(await devStop(config.dev, server))) return t.skip(`this checkout did not start the dev stack's ${server}`);
        await resolveEndpoints(config, { temporal: true }); // starts it again
        const answer = (await mainResult(handle)) as ReturnType<typeof correctAnswer>;
        const { lost, duplicated } = lostAndDuplicated(answer.consumed, ROUNDS, ITEMS);
        t.diagnostic(`${lost} items lost, ${duplicated} doubled`);
        assert.deepEqual(answer, correctAnswer(ROUNDS, ITEMS));
      } finally {
        // The next run's tasks must run on its own worker, which notes them in its log.
        worker.kill('SIGKILL');
      }
    });
  }

  for (let run = 1; run <= RUNS; run++) {
    // Every other kill waits for a moment when a task is in the middle of its work: the hard case.
    const inTask = run % 2 === 0;
    it(`run ${run}: killed ${inTask ? 'while a task runs' : 'at a random moment'}, a fresh worker finishes the run with the answer of a run without faults: no item lost or doubled, no lock left held, no task that had ended run again`, async (t) => {
      const started = performance.now();
      const log = join(logs, `run-${run}.log`);
      const { worker: first, handle } = await startRun(log);
      // Whatever happens, this run's workers go: a worker left polling would take the next runs' tasks.
      const workersOfThisRun = [first];
      try {
        // At a random point of the run, measured in history events (or the first moment after it at which a task runs).
        const killAtEvents = RUNNING_EVENTS + Math.floor(Math.random() * (DONE_EVENTS - RUNNING_EVENTS) * 0.6);
        const result = mainResult(handle);
        const finished = result.then(() => 'finished' as const, () => 'finished' as const);
        const reached = async () => {
          while (((await handle.describe()).historyLength ?? 0) < killAtEvents) await sleep(20);
          return inTask ? aTaskRuns(log) : 'a random moment';
        };
        const moment = await Promise.race([finished, reached()]);
        assert.notEqual(moment, 'finished', 'the run ended before the kill: the program is too short to test anything');
        first.kill('SIGKILL');
        const killedAt = Date.now();
        await once(first, 'exit');
        summary.kills++;
        workersOfThisRun.push(startWorker(log));
        const deadline = sleep(RUN_DEADLINE_MS, 'stuck' as const, { ref: false });
        const outcome = await Promise.race([result, deadline]);
        if (outcome === 'stuck') {
          summary.stuck++;
          await handle.terminate('the fault suite gave up on it');
          assert.fail(`the run did not finish within ${RUN_DEADLINE_MS / 1000} s of the kill`);
        }
        const answer = outcome as ReturnType<typeof correctAnswer>;
        const { lost, duplicated } = lostAndDuplicated(answer.consumed, ROUNDS, ITEMS);
        const runs = taskRuns(log);
        const runAgain = [...runs].filter(([, { starts }]) => starts > 1).map(([label]) => label);
        const settledRunAgain = runAgain.filter((label) => runs.get(label)!.firstEnd < killedAt - SETTLED_MS);
        summary.itemsLost += lost;
        summary.duplicates += duplicated;
        summary.tasksRunAgain += runAgain.length;
        summary.runs++;
        t.diagnostic(`worker killed after ${killAtEvents} history events, at ${moment}; ${lost} items lost, ${duplicated} doubled; tasks run again: ${runAgain.join(', ') || 'none'}`);
        assert.deepEqual(answer, correctAnswer(ROUNDS, ITEMS));
        assert.deepEqual(settledRunAgain, [], 'tasks that had ended well before the kill ran again');
        summary.correct++;
      } finally {
        summary.seconds = Math.round(summary.seconds + (performance.now() - started) / 1000);
        for (const worker of workersOfThisRun) worker.kill('SIGKILL');
      }
    });
  }
});

interface TaskRuns {
  starts: number;
  ends: number;
  /** When it first ended (never: Infinity). */
  firstEnd: number;
}

/** How often each task of a run started and ended, from its fault log. */
function taskRuns(log: string): Map<string, TaskRuns> {
  const runs = new Map<string, TaskRuns>();
  if (!existsSync(log)) return runs;
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const [, at, event, label] = /^(\d+) (start|end) (.+)$/.exec(line)!;
    const task = runs.get(label) ?? { starts: 0, ends: 0, firstEnd: Number.POSITIVE_INFINITY };
    if (event === 'start') task.starts++;
    else {
      task.ends++;
      task.firstEnd = Math.min(task.firstEnd, Number(at));
    }
    runs.set(label, task);
  }
  return runs;
}

/** Waits for a moment when a task has started and not ended, and names it. */
async function aTaskRuns(log: string): Promise<string> {
  for (;;) {
    const running = [...taskRuns(log)].find(([, { starts, ends }]) => starts > ends);
    if (running) return `a moment when ${running[0]} ran`;
    await sleep(5);
  }
}
