import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { runKeys } from '../activities/state/keys.js';
import { RedisStore } from '../activities/state/store.js';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { loads } from '../mp-shim/serialization.js';
import type { ChunkCall } from '../mp-shim/transport.js';
import { connectClient, mainResult, queryProgress, startMain } from '../workers/client.js';
import type { Endpoints } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { payloadConverter } from '../workflows/payload-converter.js';

const CHUNKS = 40;
const program = resolveProgram('test/programs/crash');

describe('a worker killed in the middle of a map', { timeout: 240_000 }, () => {
  let endpoints: Endpoints;
  let store: RedisStore;
  let client: Client;
  const workers: ChildProcess[] = [];

  before(async () => {
    endpoints = await resolveEndpoints({ temporal: true });
    store = await RedisStore.connect(endpoints.redisUrl);
    client = await connectClient(endpoints, store);
  });

  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await client.connection.close();
    await store.close();
  });

  /** `mpflow worker` in a process of its own: what a user starts, and what the test kills. */
  function startWorker(): ChildProcess {
    const env = { ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, MPFLOW_REDIS_URL: endpoints.redisUrl };
    const worker = spawn(process.execPath, ['cli/bin.js', 'worker', program.dir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    workers.push(worker);
    return worker;
  }

  it('is replaced by a fresh worker; the map completes and no chunk completed before the kill runs again', async (t) => {
    const runTag = `crash-${randomUUID()}`;
    const first = startWorker();
    const handle = await startMain(client, { program, args: [runTag, CHUNKS, 500, 4], options: { heartbeatTimeoutMs: 2_000 } });

    for (let done = 0; done < CHUNKS / 2; await sleep(100)) {
      done = (await queryProgress(handle).catch(() => []))[0]?.done ?? 0;
    }
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await once(first, 'exit');
    startWorker();

    assert.equal(await mainResult(handle), CHUNKS * (CHUNKS - 1));

    const completedBeforeKill = await chunksCompletedBefore(handle.workflowId, killedAt);
    assert.ok(completedBeforeKill.length >= CHUNKS / 2, `expected at least ${CHUNKS / 2} chunks done before the kill, history shows ${completedBeforeKill.length}`);
    const keys = runKeys(runTag);
    const runs = (await store.redis.mget(Array.from({ length: CHUNKS }, (_, i) => keys.counter(`runs:${i}`)))).map(Number);
    await store.cleanupRun(runTag);
    assert.ok(runs.every((count) => count >= 1), `every chunk ran: ${runs}`);
    t.diagnostic(`${completedBeforeKill.length} chunks completed before the kill; ${runs.filter((count) => count > 1).length} in-flight chunks ran again`);
    for (const index of completedBeforeKill) assert.equal(runs[index], 1, `chunk ${index} completed before the kill but ran ${runs[index]} times`);
  });

  /** Item indexes of the chunks whose completion history recorded before `time`. */
  async function chunksCompletedBefore(workflowId: string, time: number): Promise<number[]> {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = new Map<string, number>();
    const completed: number[] = [];
    for (const event of events) {
      const input = event.activityTaskScheduledEventAttributes?.input?.payloads;
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
