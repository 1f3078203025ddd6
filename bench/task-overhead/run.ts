/**
 * Task overhead: a map of N no-op tasks, chunksize 1, many in flight, timed inside the main
 * program once the pool's workers are up; µs per task for each engine and dispatch and for
 * Python's multiprocessing.Pool, and for Lithops (localhost backend) on LITHOPS_ITEMS tasks, in
 * one invocation.
 *   npx tsx bench/task-overhead/run.ts [items=20000] [processes=64]   (BENCH_LITHOPS=0 without Lithops)
 */
import { barChart } from '../chart.js';
import { LITHOPS, POOL_CONFIGURATIONS, lithops, poolConfigurations, printTable, python, withLithops, writeResults } from '../lib.js';

const items = Number(process.argv[2] ?? 20_000);
const processes = Number(process.argv[3] ?? 64);
/** Lithops starts a process per task (about half a second each here): this many finish in a minute. */
const LITHOPS_ITEMS = 64;
const GOAL = { localUs: 40, queueUs: 100 };
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
const peer = { engine: 'python multiprocessing', ms, usPerTask: (ms * 1000) / items };
rows.push(peer);
if (withLithops) {
  const { ms: lithopsMs } = await lithops('task-overhead', LITHOPS_ITEMS, Math.min(processes, LITHOPS_ITEMS));
  rows.push({ engine: `${LITHOPS}, ${LITHOPS_ITEMS} tasks`, ms: lithopsMs, usPerTask: (lithopsMs * 1000) / LITHOPS_ITEMS });
}

const local = rows[0].usPerTask;
printTable(
  `${items} no-op tasks, chunksize 1, Pool(${processes}), results checked (goals: local ≤ ${GOAL.localUs} µs/task, durable queue ≤ ${GOAL.queueUs} µs/task)`,
  ['engine', 'wall ms', 'µs/task', 'vs local', 'vs python'],
  rows.map((r) => [r.engine, r.ms, r.usPerTask, r.usPerTask / local, r.usPerTask / peer.usPerTask]),
);
await writeResults('task-overhead', { items, processes, lithopsItems: LITHOPS_ITEMS, goal: GOAL, rows }, barChart(`µs per task, ${items} no-op tasks, Pool(${processes}) (log scale)`, rows, { field: 'engine', title: null }, { field: 'usPerTask', title: 'µs per task', log: true }));
