/**
 * Task overhead: a map of N no-op tasks, chunksize 1, many in flight, timed inside the main
 * program once the pool's workers are up; µs per task for each engine and dispatch and for
 * Python's multiprocessing.Pool, in one invocation.
 *   npx tsx bench/task-overhead/run.ts [items=20000] [processes=64]
 */
import { barChart } from '../chart.js';
import { POOL_CONFIGURATIONS, poolConfigurations, printTable, python, writeResults } from '../lib.js';

const items = Number(process.argv[2] ?? 20_000);
const processes = Number(process.argv[3] ?? 64);
const GOAL_QUEUE_US = 200;
const expected = (items * (items - 1)) / 2;

const runners = await poolConfigurations('bench/task-overhead');
const rows: { engine: string; ms: number; usPerTask: number }[] = [];
try {
  for (const name of POOL_CONFIGURATIONS) {
    await runners[name].run('main', 100, processes); // warm-up: threads, bundle, first workflow
    const [ms, checksum] = await runners[name].run<[number, number]>('main', items, processes);
    if (checksum !== expected) throw new Error(`${name}: checksum ${checksum}, expected ${expected}`);
    rows.push({ engine: name, ms, usPerTask: (ms * 1000) / items });
  }
} finally {
  await runners.close();
}
const { ms } = python('task-overhead', items, processes);
rows.push({ engine: 'python multiprocessing', ms, usPerTask: (ms * 1000) / items });

const local = rows[0].usPerTask;
printTable(
  `${items} no-op tasks, chunksize 1, Pool(${processes}), results checked (goal: durable queue ≤ ${GOAL_QUEUE_US} µs/task)`,
  ['engine', 'wall ms', 'µs/task', 'vs local'],
  rows.map((r) => [r.engine, r.ms, r.usPerTask, r.usPerTask / local]),
);
await writeResults('task-overhead', { items, processes, goalQueueUsPerTask: GOAL_QUEUE_US, rows }, barChart(`µs per task, ${items} no-op tasks, Pool(${processes}) (log scale)`, rows, { field: 'engine', title: null }, { field: 'usPerTask', title: 'µs per task', log: true }));
