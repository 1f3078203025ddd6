/**
 * Runs in flight when mpflow changes resume on the new mpflow: every history recorded under
 * test/histories/ (by test/histories/record.ts, with an earlier mpflow) replays against its
 * program as the code stands now. A change to mpflow's workflow-side code that fails here would
 * fail those runs; where such a change is intended, it is guarded with patched() and a new
 * recording is added beside the old ones, never in their place.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protos from '@temporalio/proto';
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
