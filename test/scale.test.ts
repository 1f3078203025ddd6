import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mainResult, startMain } from '../workers/client.js';
import { readConfig, storageUrl } from '../workers/config.js';
import { defaultRunOptions, type RunOptions } from '../workflows/definitions.js';
import { harness, type Harness } from '../testing/harness.js';

const sumOfSquares = (n: number) => ((n - 1) * n * (2 * n - 1)) / 6;

const config = readConfig();
const options: RunOptions = { ...defaultRunOptions, cpuCount: 2, maxChunksPerMap: 25, dispatch: 'activity', storage: storageUrl(config), pricing: config.pricing };

describe('maps larger than one workflow holds (activity dispatch)', { timeout: 300_000 }, () => {
  let h: Harness;
  // A small per-workflow limit makes the batching visible at a size CI runs quickly.
  before(async () => (h = await harness('temporal', 'test/programs/semantics', options)));
  after(() => h.close());

  it('a map of more chunks than the limit runs in child workflows and returns every result', async () => {
    const handle = await startMain(h.client!, { program: h.program, entry: 'sumOfSquares', args: [4, 200], taskQueue: h.taskQueue, options });
    assert.equal(await mainResult(handle), sumOfSquares(200));
    let children = 0;
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.childWorkflowExecutionCompletedEventAttributes) children++;
    }
    assert.equal(children, 8, '200 chunks in batches of 25');
  });

  it('Pool(600) runs 600 chunks at once without tripping the pending-activity cap', async () => {
    assert.equal(await h.run('sumOfSquares', 600, 600), sumOfSquares(600));
  });
});
