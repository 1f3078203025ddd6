/**
 * Records the histories test/histories.test.ts replays: small runs of the examples and of the
 * behaviour suites, on the durable engine, as this version of mpflow makes them (each history
 * in the server's binary encoding, base64, beside what was run). Run it to add
 * a recording (`npx tsx test/histories/record.ts`); it
 * never overwrites one, since each stands for runs in flight when mpflow changes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import protos from '@temporalio/proto';
import { harness } from '../../testing/harness.js';
import { mainResult, startMain } from '../../workers/client.js';
import { storageUrl } from '../../workers/config.js';
import type { RunOptions } from '../../workflows/definitions.js';

export interface Recording {
  program: string;
  entry: string;
  args: unknown[];
  /** Run options besides the defaults (a small history limit makes checkpoints come soon). */
  options?: Partial<RunOptions>;
  /** The recorded run of the chain: the last (default), or the first, which a checkpoint ended. */
  run?: 'first' | 'last';
}

const RECORDINGS: Recording[] = [
  { program: 'examples/pi', entry: 'main', args: [200_000, 2] },
  { program: 'examples/pingpong', entry: 'mainToTask', args: [5] },
  { program: 'test/programs/semantics', entry: 'applyAndCallbacks', args: [] },
  { program: 'test/programs/semantics', entry: 'imapStreamsInOrder', args: [] },
  { program: 'test/programs/semantics', entry: 'processLifecycle', args: [] },
  { program: 'test/programs/semantics', entry: 'processStopped', args: ['terminate'] },
  { program: 'test/programs/shared', entry: 'lockedReadModifyWrite', args: [3, 3] },
  { program: 'test/programs/shared', entry: 'joinableQueueJoins', args: [] },
  { program: 'test/programs/shared', entry: 'barrierSplitBetweenMainAndTasks', args: [] },
  { program: 'test/programs/shared', entry: 'pipePingPong', args: [3] },
  { program: 'test/programs/checkpoint', entry: 'main', args: [60, 25, true], options: { historyLimit: { events: 400, bytes: 50 * 1024 * 1024 } }, run: 'first' },
  { program: 'test/programs/checkpoint', entry: 'echoes', args: [100, 2], options: { historyLimit: { events: 400, bytes: 50 * 1024 * 1024 } }, run: 'first' },
];

const mpflowVersion = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();

for (const recording of RECORDINGS) {
  const file = new URL(`./${recording.program.split('/').at(-1)}.${recording.entry}${recording.run === 'first' ? '.first-run' : ''}.json`, import.meta.url);
  if (existsSync(file)) continue;
  const h = await harness('temporal', recording.program);
  try {
    const handle = await startMain(h.client!, { program: h.program, entry: recording.entry, args: recording.args, taskQueue: h.taskQueue, options: { cpuCount: 2, storage: storageUrl(h.config), pricing: h.config.pricing, ...recording.options } });
    await mainResult(handle);
    const history = await h.client!.workflow.getHandle(handle.workflowId, recording.run === 'first' ? handle.firstExecutionRunId : undefined).fetchHistory();
    const encoded = Buffer.from(protos.temporal.api.history.v1.History.encode(history).finish()).toString('base64');
    // The workflow id goes with the history: the ids of a run's child workflows (a batch, a process) start with it.
    writeFileSync(file, `${JSON.stringify({ ...recording, recordedWith: mpflowVersion, workflowId: handle.workflowId, events: history.events?.length, history: encoded }, null, 2)}\n`);
    console.log(`recorded ${file.pathname}: ${history.events?.length} events`);
  } finally {
    await h.close();
  }
}
