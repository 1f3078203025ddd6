import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { Redis } from 'ioredis';
import { devDown, resolveEndpoints, temporalCli } from '../infra/dev-stack.js';
import { ProcessError } from '../mp-shim/errors.js';
import { runKeys } from '../state/keys.js';
import { RedisStore } from '../state/store.js';
import { connectClient, mainResult, queryHistory, startMain } from '../workers/client.js';
import { readConfig, storageUrl, type Config, type Endpoints } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { replayRun } from '../workers/replay.js';
import { dataConverter } from '../workers/worker.js';
import { HISTORY_SHARES } from '../workflows/definitions.js';
import { chainProcesses, chainRuns, harness, workerProcess, type Harness } from '../testing/harness.js';

const exec = promisify(execFile);
const CLI = resolve('cli/bin.js');
/** 5,000 iterations of four shared-state operations, and a map of 8 chunks every 25th: 20,000 operations and 200 maps. */
const ITERATIONS = 5_000;
const MAP_EVERY = 25;
const HISTORY_LIMIT = 3_000;

/** A Temporal dev server of this file's own that terminates runs past 3,000 events, beside the dev stack's Redis. */
function lowLimitConfig(redisUrl: string): Config {
  return readConfig({
    ...process.env,
    MPFLOW_STATE_DIR: mkdtempSync(join(tmpdir(), 'mpflow-checkpoint-')),
    MPFLOW_DEV_TEMPORAL_PORT: '7533',
    MPFLOW_DEV_TEMPORAL_CONFIG: `limit.historyCount.error=${HISTORY_LIMIT}`,
    MPFLOW_REDIS_URL: redisUrl,
    TEMPORAL_ADDRESS: '',
    TEMPORAL_CLI: temporalCli(readConfig().dev),
  });
}

describe(`a main program longer than one history (a server limit of ${HISTORY_LIMIT} events)`, { timeout: 600_000 }, () => {
  let config: Config;
  let endpoints: Endpoints;
  let store: RedisStore;
  /** Reads the run's keys, as an observer. */
  let redis: Redis;
  let client: Client;
  let local: Harness;
  const workers: ChildProcess[] = [];
  const program = resolveProgram('test/programs/checkpoint', `test-checkpoint-${process.pid}`);

  before(async () => {
    const devStack = await resolveEndpoints(readConfig(), { temporal: false });
    config = lowLimitConfig(devStack.redisUrl);
    endpoints = await resolveEndpoints(config, { temporal: true });
    store = await RedisStore.connect(endpoints.redisUrl);
    redis = new Redis(endpoints.redisUrl);
    client = await connectClient(endpoints, dataConverter(config, store));
    local = await harness('local', program.dir);
    startWorker();
  });

  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await local.close();
    await client.connection.close();
    redis.disconnect();
    await store.close();
    await devDown(config.dev);
  });

  /** A worker on the low-limit server. */
  function startWorker(): void {
    workers.push(workerProcess(program, endpoints));
  }

  function start(checkpoints: boolean) {
    return startEntry('main', ITERATIONS, MAP_EVERY, checkpoints);
  }

  function startEntry(entry: string, ...args: unknown[]) {
    const options = { heartbeatTimeoutMs: 2_000, cpuCount: 4, storage: storageUrl(config), pricing: config.pricing, historyLimit: config.historyLimit };
    return startMain(client, { program, entry, args, options });
  }

  async function killWorker(): Promise<void> {
    const worker = workers.at(-1)!;
    worker.kill('SIGKILL');
    await once(worker, 'exit');
  }

  /** What `mpflow status --json` reports of the run. */
  async function status(workflowId: string): Promise<{ status: string; run: number; checkpoints: number }> {
    const env = { ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, MPFLOW_REDIS_URL: endpoints.redisUrl };
    const { stdout } = await exec(process.execPath, [CLI, 'status', workflowId, '--json'], { env });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  it('checkpoints carry it through many runs to the local engine’s answer, its worker killed once midway', async (t) => {
    const expected = await local.run('main', ITERATIONS, MAP_EVERY, false);
    const handle = await start(true);
    let midway = await queryHistory(handle).catch(() => undefined);
    while (!midway || midway.run < 4) {
      await sleep(200);
      midway = await queryHistory(handle).catch(() => undefined);
    }
    // The chain's shared objects are in Redis between runs: a checkpoint keeps them.
    assert.ok((await redis.keys(runKeys(handle.workflowId).all)).length > 0, 'the run keeps its Redis state across checkpoints');
    const reported = await status(handle.workflowId);
    assert.equal(reported.status, 'RUNNING');
    assert.ok(reported.run >= 4 && reported.checkpoints === reported.run - 1, `status names the run and the checkpoints: ${JSON.stringify(reported)}`);

    await killWorker();
    startWorker();

    assert.deepEqual(await mainResult(handle), expected);
    const runs = await chainRuns(client, handle.workflowId);
    t.diagnostic(`${runs.length} runs in the chain; the worker was killed in run ${midway.run}`);
    // Two operations of each iteration need their answer (the increment, the get): a marker each, at least; a run checkpoints at a fifth of the limit.
    const fewestRuns = Math.floor((2 * ITERATIONS) / (HISTORY_SHARES.checkpoint * HISTORY_LIMIT));
    assert.ok(runs.length >= fewestRuns, `${2 * ITERATIONS} markers take at least ${fewestRuns} histories of ${HISTORY_SHARES.checkpoint * HISTORY_LIMIT} events, got ${runs.length} runs`);
    assert.deepEqual(runs, [...Array(runs.length - 1).fill('CONTINUED_AS_NEW'), 'COMPLETED']);
    assert.deepEqual(await redis.keys(runKeys(handle.workflowId).all), [], 'the last run of the chain removes its Redis state');
  });

  it('without checkpoints it fails before the limit with an error that names the fix, and is not terminated; its history replays, and the replay says what it took', async (t) => {
    const handle = await start(false);
    await assert.rejects(mainResult(handle), (error: Error) => {
      assert.ok(error instanceof ProcessError, `a ProcessError, got ${error.name}`);
      assert.match(error.message, /history holds \d+ events .* of the limit \(3000 events/);
      assert.match(error.message, /call checkpoint\(\.\.\.args\)/);
      return true;
    });
    assert.deepEqual(await chainRuns(client, handle.workflowId), ['FAILED']);
    assert.equal((await status(handle.workflowId)).status, 'FAILED');

    const replayed = await replayRun(client, program, handle.workflowId, dataConverter(config, store));
    t.diagnostic(`replayed ${replayed.events} events in ${replayed.ms} ms (${((replayed.ms * 1000) / replayed.events).toFixed(0)} µs/event), memory +${replayed.memoryMb} MB`);
    assert.equal(replayed.compatible, true);
    assert.ok(replayed.events >= HISTORY_SHARES.fail * HISTORY_LIMIT, `the whole history was replayed: ${replayed.events} events`);
  });

  it('processes run on through checkpoints: the echo processes of the first run answer in every run of the chain, and the last run stops the daemon', async (t) => {
    const rounds = 600;
    const expected = await local.run('echoes', rounds, 3);
    const handle = await startEntry('echoes', rounds, 3);
    assert.deepEqual(await mainResult(handle), expected);
    const runs = await chainRuns(client, handle.workflowId);
    t.diagnostic(`${rounds} rounds took ${runs.length} runs`);
    assert.ok(runs.length >= 3, `the rounds took several runs: ${runs.join(', ')}`);
    assert.deepEqual(await chainProcesses(client, handle.workflowId), ['CANCELLED', 'COMPLETED', 'COMPLETED', 'COMPLETED'], 'each process was started once, in the first run');
  });

  it('cancelling a chain ends it as cancelled, its cleanup done, and stops the processes its runs left running', async () => {
    const handle = await startEntry('echoes', 1_000_000, 2);
    let history = await queryHistory(handle).catch(() => undefined);
    while (!history || history.run < 2) {
      await sleep(200);
      history = await queryHistory(handle).catch(() => undefined);
    }
    await handle.cancel();
    await assert.rejects(mainResult(handle), /the run was cancelled/);
    assert.equal((await chainRuns(client, handle.workflowId)).at(-1), 'CANCELLED');
    assert.deepEqual(await redis.keys(runKeys(handle.workflowId).all), [], 'the cancelled run removed its Redis state');
    for (let waited = 0; (await chainProcesses(client, handle.workflowId)).includes('RUNNING') && waited < 30_000; waited += 500) await sleep(500);
    assert.deepEqual(await chainProcesses(client, handle.workflowId), ['CANCELLED', 'CANCELLED', 'CANCELLED'], 'the two echo processes and the idler, started in the first run');
  });

  it('a durable sleep fires on time though the worker was killed while it waited', async () => {
    const handle = await startEntry('nap', 4_000);
    await sleep(1_000);
    await killWorker();
    startWorker();
    const slept = await mainResult<number>(handle);
    assert.ok(slept >= 4_000 && slept < 30_000, `slept ${slept} ms by the main program's clock`);
  });
});
