/**
 * Runs in flight when mpflow changes resume on the new mpflow: every history recorded under
 * test/histories/ (by test/histories/record.ts, with an earlier mpflow) replays against its
 * program as the code stands now. A change to mpflow's workflow-side code that fails here would
 * fail those runs; where such a change is intended, it is guarded with patched() and a new
 * recording is added beside the old ones, never in their place.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import protos from '@temporalio/proto';
import { harness, type Harness } from '../testing/harness.js';
import { mainResult } from '../workers/client.js';
import { payloadConverterPath } from '../workers/bundle.js';
import { readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import { replayHistory } from '../workers/replay.js';
import { installRuntime } from '../workers/worker.js';
import type { Recording } from './histories/record.js';

const DIR = new URL('./histories/', import.meta.url);
const recordings = readdirSync(DIR).filter((file) => file.endsWith('.json'));
installRuntime(readConfig());

describe('recorded runs replay on this version of mpflow', { timeout: 300_000 }, () => {
  it('has recordings to replay', () => {
    assert.ok(recordings.length >= 5, `test/histories/ holds ${recordings.length} recordings`);
  });

  for (const file of recordings) {
    const recorded = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Recording & { recordedWith: string; workflowId?: string; history: string };
    it(`${recorded.program} ${recorded.entry}(${recorded.args.join(', ')}), recorded with mpflow ${recorded.recordedWith}`, async () => {
      const history = protos.temporal.api.history.v1.History.decode(Buffer.from(recorded.history, 'base64'));
      assert.deepEqual(await replayHistory(resolveProgram(recorded.program), history, { payloadConverterPath }, recorded.workflowId), { compatible: true });
    });
  }
});

/** The patches a history records, each with the number of the workflow task whose completion recorded it. */
function patchMarkers(history: protos.temporal.api.history.v1.IHistory): { id: string; workflowTask: number }[] {
  let completedTasks = 0;
  const markers: { id: string; workflowTask: number }[] = [];
  for (const event of history.events ?? []) {
    if (event.workflowTaskCompletedEventAttributes) completedTasks++;
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    const { id } = JSON.parse(Buffer.from(marker.details!['patch-data'].payloads![0].data!).toString()) as { id: string };
    markers.push({ id, workflowTask: completedTasks });
  }
  return markers;
}

describe('a run started on this version of mpflow', { timeout: 300_000 }, () => {
  let h: Harness;
  before(async () => (h = await harness('temporal', 'test/programs/shared')));
  after(() => h.close());

  it('decides its patches in its first workflow task, where every replay asks for them too: after a local activity, a replay may run the code a task earlier than the run did', async () => {
    const handle = await h.start!('pipePingPong', 3);
    assert.deepEqual(await mainResult(handle), [0, 1, 2]);
    assert.deepEqual(patchMarkers(await h.client!.workflow.getHandle(handle.workflowId).fetchHistory()), [{ id: 'changes-decided-at-start', workflowTask: 1 }]);
  });
});
