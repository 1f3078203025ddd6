import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { Redis } from 'ioredis';
import { runKeys } from '../state/keys.js';
import { RedisStore } from '../state/store.js';
import { redisDataDir, resolveEndpoints } from '../infra/dev-stack.js';
import { loads } from '../mp-shim/serialization.js';
import type { ChunkCall, Dispatch } from '../mp-shim/transport.js';
import { connectClient, mainResult, queryProgress, startMain } from '../workers/client.js';
import { readConfig, storageUrl, type Endpoints } from '../workers/config.js';
import { dataConverter } from '../workers/worker.js';
import { resolveProgram } from '../workers/program.js';
import { payloadConverter } from '../workflows/payload-converter.js';
import { workerProcess } from '../testing/harness.js';

const CHUNKS = 40;
/** On a task queue of this file's own, which the workers it starts are given too. */
const program = resolveProgram('test/programs/crash', `test-crash-${process.pid}`);
const config = readConfig();

describe('a worker killed, or Redis restarted, in the middle of a map', { timeout: 300_000 }, () => {
  let endpoints: Endpoints;
  let store: RedisStore;
  /** Reads what the tasks counted, as an observer: mpflow's own connection is not for that. */
  let redis: Redis;
  let client: Client;
  const workers: ChildProcess[] = [];

  before(async () => {
    endpoints = await resolveEndpoints(config, { temporal: true });
    store = await RedisStore.connect(endpoints.redisUrl);
    redis = new Redis(endpoints.redisUrl).on('error', () => {}); // a Redis restart is part of the test
    client = await connectClient(endpoints, dataConverter(config, store));
  });

  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await client.connection.close();
    redis.disconnect();
    await store.close();
  });

  function startWorker(): ChildProcess {
    const worker = workerProcess(program, endpoints);
    workers.push(worker);
    return worker;
  }

  /** Starts the crash program's map and returns once its progress shows half the chunks done. */
  async function mapHalfDone(runTag: string, dispatch: Dispatch) {
    const handle = await startMain(client, { program, args: [runTag, CHUNKS, 500, 4, dispatch], options: { heartbeatTimeoutMs: 2_000, cpuCount: config.threads, storage: storageUrl(config), pricing: config.pricing } });
    for (let done = 0; done < CHUNKS / 2; await sleep(100)) {
      done = (await queryProgress(handle).catch(() => []))[0]?.done ?? 0;
    }
    return handle;
  }

  /** How many times each chunk of the run ran (each run of the task counts itself in Redis). */
  async function runsPerChunk(runTag: string): Promise<number[]> {
    const keys = runKeys(runTag);
    const runs = (await redis.mget(Array.from({ length: CHUNKS }, (_, i) => keys.counter(`runs:${i}`)))).map(Number);
    await store.cleanupRun(runTag);
    assert.ok(runs.every((count) => count >= 1), `every chunk ran: ${runs}`);
    return runs;
  }

  it('activity dispatch: a fresh worker finishes the map, and no chunk completed before the kill runs again', async (t) => {
    const runTag = `crash-${randomUUID()}`;
    const first = startWorker();
    const handle = await mapHalfDone(runTag, 'activity');
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await once(first, 'exit');
    startWorker();

    assert.equal(await mainResult(handle), CHUNKS * (CHUNKS - 1));

    const completedBeforeKill = await chunksCompletedBefore(handle.workflowId, killedAt);
    assert.ok(completedBeforeKill.length >= CHUNKS / 2, `expected at least ${CHUNKS / 2} chunks done before the kill, history shows ${completedBeforeKill.length}`);
    const runs = await runsPerChunk(runTag);
    t.diagnostic(`${completedBeforeKill.length} chunks completed before the kill; ${runs.filter((count) => count > 1).length} in-flight chunks ran again`);
    for (const index of completedBeforeKill) assert.equal(runs[index], 1, `chunk ${index} completed before the kill but ran ${runs[index]} times`);
  });

  it('queue dispatch: leased chunks of the dead worker go back to the queue, and results already in Redis are not recomputed', async (t) => {
    const runTag = `crash-${randomUUID()}`;
    const first = startWorker();
    const handle = await mapHalfDone(runTag, 'queue');
    first.kill('SIGKILL');
    await once(first, 'exit');
    const doneBeforeKill = await chunksWithResults(handle.workflowId);
    startWorker();

    assert.equal(await mainResult(handle), CHUNKS * (CHUNKS - 1));

    assert.ok(doneBeforeKill.length >= CHUNKS / 2, `expected at least ${CHUNKS / 2} results in Redis at the kill, found ${doneBeforeKill.length}`);
    const runs = await runsPerChunk(runTag);
    t.diagnostic(`${doneBeforeKill.length} results were in Redis at the kill; ${runs.filter((count) => count > 1).length} leased chunks ran again`);
    for (const index of doneBeforeKill) assert.equal(runs[index], 1, `chunk ${index} had its result in Redis but ran ${runs[index]} times`);
  });

  it('queue dispatch: a Redis restart in the middle of a map loses nothing (append-only file)', async (t) => {
    const admin = new Redis(endpoints.redisUrl).on('error', () => {});
    const [, dataDir] = (await admin.config('GET', 'dir')) as string[];
    if (process.env.MPFLOW_REDIS_URL || resolve(dataDir) !== resolve(redisDataDir(config.dev))) {
      admin.disconnect();
      return t.skip(`restarts only this checkout's dev-stack Redis, and the one running keeps its data in ${dataDir}`);
    }
    const runTag = `crash-${randomUUID()}`;
    startWorker();
    const handle = await mapHalfDone(runTag, 'queue');
    const doneBeforeRestart = await chunksWithResults(handle.workflowId);
    await admin.shutdown().catch(() => {}); // the connection closes as the server stops
    admin.disconnect();
    await resolveEndpoints(config, { temporal: false }); // starts it again, from its append-only file

    assert.equal(await mainResult(handle), CHUNKS * (CHUNKS - 1));

    const runs = await runsPerChunk(runTag);
    t.diagnostic(`${doneBeforeRestart.length} results were in Redis at the restart; ${runs.filter((count) => count > 1).length} chunks ran again`);
    for (const index of doneBeforeRestart) assert.equal(runs[index], 1, `chunk ${index} had its result in Redis but ran ${runs[index]} times`);
  });

  /** Indexes of the chunks whose outcome is stored in the run's pool (queue dispatch). */
  async function chunksWithResults(runId: string): Promise<number[]> {
    const [resultsKey] = await redis.keys(runKeys(runId).pool('*').done(0));
    return resultsKey ? (await redis.hkeys(resultsKey)).map(Number) : [];
  }

  /** Item indexes of the chunks whose completion history recorded before `time`. */
  async function chunksCompletedBefore(workflowId: string, time: number): Promise<number[]> {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = new Map<string, number>();
    const completed: number[] = [];
    for (const event of events) {
      const scheduledChunk = event.activityTaskScheduledEventAttributes;
      const input = scheduledChunk?.activityType?.name === 'runChunk' ? scheduledChunk.input?.payloads : undefined;
      if (input) {
        const call = payloadConverter.fromPayload<ChunkCall>(input[1]);
        scheduled.set(String(event.eventId), loads<[string, number, number][][]>(call.items)[0][0][1]);
      }
      const completion = event.activityTaskCompletedEventAttributes;
      const at = event.eventTime ? Number(event.eventTime.seconds) * 1000 + (event.eventTime.nanos ?? 0) / 1e6 : Infinity;
      if (completion && at < time) completed.push(scheduled.get(String(completion.scheduledEventId))!);
    }
    return completed;
  }
});
