/**
 * What Temporal's Web UI shows of a run, read through the same APIs it reads: the run's summary
 * names the program, its entry and its arguments; its current details say what the main
 * program is doing now — the maps under way with their progress, and what it waits on; and
 * through mpflow's codec server its payloads read as JSON and every state operation's marker
 * names the operation and its object.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { ClaimCheckCodec } from '../workers/claim-check.js';
import { codecServer } from '../workers/codec-server.js';
import { dumps } from '../mp-shim/serialization.js';
import { harness, type Harness } from '../testing/harness.js';

/** The query the Web UI sends for a run's current details. */
const METADATA_QUERY = '__temporal_workflow_metadata';

describe('a run in the Web UI', { timeout: 120_000 }, () => {
  let durable: Harness;
  const codec = codecServer({ origin: 'http://127.0.0.1:8233' });
  before(async () => {
    durable = await harness('temporal', 'test/programs/semantics');
    await new Promise<void>((resolve) => codec.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    codec.close();
    await durable.close();
  });

  /** What the UI gets back from the codec endpoint for `payloads` (the protocol's JSON, base64 inside). */
  async function decoded(payloads: Payload[]): Promise<unknown[]> {
    const wire = payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value!).toString('base64')])),
      data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
    }));
    const response = await fetch(`http://127.0.0.1:${(codec.address() as AddressInfo).port}/decode?preserveStorageRefs=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default' }, body: JSON.stringify({ payloads: wire }) });
    assert.equal(response.status, 200);
    const { payloads: answered } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    return answered.map(({ metadata, data }) => {
      assert.equal(Buffer.from(metadata.encoding, 'base64').toString(), 'json/plain');
      return JSON.parse(Buffer.from(data, 'base64').toString());
    });
  }

  it('is summarised by its program, entry and arguments, and its details follow the main program: a map under way, a queue it waits on, then neither', async () => {
    const handle = await durable.start!('queueWaitDuringMap', 3_000);
    assert.equal(await (await handle.describe()).staticSummary(), 'mpflow run semantics queueWaitDuringMap(3000)');
    // The answer is a WorkflowMetadata message in `json/protobuf`, as the UI reads it.
    const details = async () => {
      const { queryResult } = await durable.client!.workflowService.queryWorkflow({ namespace: durable.endpoints.temporalNamespace, execution: { workflowId: handle.workflowId }, query: { queryType: METADATA_QUERY } });
      return (JSON.parse(Buffer.from(queryResult!.payloads![0].data!).toString('utf8')) as { currentDetails?: string }).currentDetails ?? '';
    };
    let seen = '';
    for (let tries = 0; tries < 100 && !seen.includes('waiting on'); tries++) {
      seen = await details();
      await sleep(100);
    }
    assert.match(seen, /^- map of `nap` \(job \d+ of pool [0-9a-f]{8}\): 0\/2 chunks$/m);
    assert.match(seen, /^- waiting on `queue\.get · [0-9a-f]{8}`$/m);
    assert.equal(await handle.result(), 'finished');
    assert.equal(await details(), 'running its own code');
  });

  it('through the codec server, reads its input, result and markers as JSON: each state operation named with its object', async () => {
    const handle = await durable.start!('queueWaitDuringMap', 10);
    await handle.result();
    const { events } = await handle.fetchHistory();
    const started = events!.find((event) => event.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
    const completed = events!.find((event) => event.workflowExecutionCompletedEventAttributes)!.workflowExecutionCompletedEventAttributes!;
    const [input, result] = await decoded([started.input!.payloads![0] as Payload, completed.result!.payloads![0] as Payload]);
    assert.deepEqual({ ...(input as object), options: undefined }, { entry: 'queueWaitDuringMap', args: [10], options: undefined });
    assert.equal(result, 'finished');
    const markerSummaries = await decoded(events!.filter((event) => event.markerRecordedEventAttributes && event.userMetadata?.summary).map((event) => event.userMetadata!.summary as Payload));
    assert.ok(markerSummaries.some((summary) => /^queue\.get · [0-9a-f]{8}$/.test(String(summary))), JSON.stringify(markerSummaries));
  });

  it('shows a claim-checked payload by its size, bytes and bigints as text, and answers the browser’s preflight', async () => {
    const big = { metadata: { encoding: new TextEncoder().encode('binary/msgpack-mpflow') }, data: dumps(new Uint8Array(300 * 1024)) };
    const [claimed] = await new ClaimCheckCodec(durable.store.claims).encode([big]);
    const small = { metadata: { encoding: new TextEncoder().encode('binary/msgpack-mpflow') }, data: dumps({ id: 7n, bytes: new Uint8Array([1, 2]), items: dumps([[3]]) }) };
    assert.deepEqual(await decoded([claimed, small]), [
      `‹claim-checked payload of 300.0 KiB, digest ${new TextDecoder().decode(claimed.data).slice(0, 12)}…›`,
      { id: '7n', bytes: '‹2 bytes: 0102›', items: [[3]] },
    ]);
    const preflight = await fetch(`http://127.0.0.1:${(codec.address() as AddressInfo).port}/decode`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
  });
});
