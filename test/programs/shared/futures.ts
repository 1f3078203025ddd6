/** The futures executor (ProcessPoolExecutor): the main-program side of the scenarios test/managers.test.ts runs, one exported function each. */
import { ALL_COMPLETED, FIRST_COMPLETED, ProcessPoolExecutor, asCompleted, waitFutures } from 'mpflow';
import { caught, describeError } from '../scenario-helpers.js';
import { t } from './refs.js';

export async function executorBasics() {
  await using executor = new ProcessPoolExecutor(2);
  const future = executor.submit(t.square, 7);
  const failing = executor.submit(t.failWith, 'bad');
  const mapped: number[] = [];
  for await (const value of executor.map(t.square, [1, 2, 3, 4, 5], { chunksize: 2 })) mapped.push(value);
  const zipped: number[] = [];
  for await (const value of executor.map(t.napThenReturn, [10, 20], ['x', 'y'])) zipped.push(value as never);
  let called = false;
  future.addDoneCallback(() => (called = true));
  return {
    result: await future.result(),
    exception: describeError(await failing.exception()),
    failingResult: await caught(() => failing.result()),
    mapped,
    zipped,
    done: future.done(),
    called,
  };
}

export async function executorOrderingAndCancel() {
  const executor = new ProcessPoolExecutor(1);
  const slow = executor.submit(t.napThenReturn, 600, 'slow');
  const queued = executor.submit(t.napThenReturn, 10, 'queued');
  const cancelledQueued = queued.cancel();
  const cancelledRunning = slow.cancel();
  await slow.result();
  await executor.shutdown();
  await using two = new ProcessPoolExecutor(2);
  const order: unknown[] = [];
  for await (const future of asCompleted([two.submit(t.napThenReturn, 800, 'slow'), two.submit(t.napThenReturn, 10, 'fast')])) order.push(await future.result());
  const first = await waitFutures([two.submit(t.napThenReturn, 2_000, 'late'), two.submit(t.napThenReturn, 10, 'early')], { returnWhen: FIRST_COMPLETED, timeout: 30_000 });
  const all = await waitFutures([...first.done, ...first.notDone], { returnWhen: ALL_COMPLETED });
  return {
    cancelledQueued,
    cancelledRunning,
    queuedState: [queued.cancelled(), queued.done(), await caught(() => queued.result())],
    order,
    firstDone: first.done.size,
    allDone: all.done.size,
    afterShutdown: await caught(async () => executor.submit(t.square, 1)),
  };
}
