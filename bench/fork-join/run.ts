/**
 * Fork-join overhead (the study's benchmark 1): wall time of `Pool(n).map(sleep(s), [s] * n)`
 * minus s, for each n, on the local engine, the durable engine in each dispatch, and Python's
 * multiprocessing.Pool (pool start included everywhere), in one invocation. Medians of REPEATS.
 * The Lambda column runs tasks on the dev stack's local Lambda endpoint, where every concurrent
 * invocation is a process of this machine, so it stops at n = LAMBDA_MAX_N, as the Lithops column
 * (the study's system, on its localhost backend: a process per task) does.
 *   npx tsx bench/fork-join/run.ts [repeats=3] [sleepMs=1000]   (BENCH_SIZES=1,8 for fewer sizes; BENCH_LITHOPS=0 without Lithops)
 */
import { lineChart } from '../chart.js';
import { LAMBDA, LITHOPS, POOL_CONFIGURATIONS, lambdaRunner, lithops, median, poolConfigurations, printTable, python, sample, withLithops, writeResults } from '../lib.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,8,64,256,1024').split(',').map(Number);
const repeats = Number(process.argv[2] ?? 3);
const sleepMs = Number(process.argv[3] ?? 1000);
const STUDY_WARM_OVERHEAD_MS_AT_1024 = 940;
const GOAL_DURABLE_MS = { 1: 40, 1024: 250 };
const PYTHON = 'python multiprocessing';
const LAMBDA_MAX_N = 64;

const runners = await poolConfigurations('bench/fork-join');
const lambda = await lambdaRunner('bench/fork-join');
const rows: ({ n: number } & Record<string, number>)[] = [];
try {
  for (const name of POOL_CONFIGURATIONS) await runners[name].run('main', 1, 10); // warm-up: threads, bundle, first workflow
  await lambda.run('main', 1, 10);
  for (const n of SIZES) {
    const row: { n: number } & Record<string, number> = { n };
    for (const name of POOL_CONFIGURATIONS) row[name] = median(await sample(repeats, () => runners[name].run('main', n, sleepMs))) - sleepMs;
    if (n <= LAMBDA_MAX_N) row[LAMBDA] = median(await sample(repeats, () => lambda.run('main', n, sleepMs))) - sleepMs;
    row[PYTHON] = median(Array.from({ length: repeats }, () => python('fork-join', n, sleepMs).ms)) - sleepMs;
    if (withLithops && n <= LAMBDA_MAX_N) {
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) times.push((await lithops('fork-join', n, sleepMs)).ms);
      row[LITHOPS] = median(times) - sleepMs;
    }
    rows.push(row);
  }
} finally {
  await runners.close();
  await lambda.close();
}

const columns = [...POOL_CONFIGURATIONS, LAMBDA, PYTHON, LITHOPS];
printTable(
  `fork-join overhead in ms (wall − ${sleepMs} ms), median of ${repeats}; goals: durable ≤ ${GOAL_DURABLE_MS[1]} ms at n = 1, durable queue ≤ ${GOAL_DURABLE_MS[1024]} ms at n = 1024; the study's Lithops (warm Lambda): ${STUDY_WARM_OVERHEAD_MS_AT_1024} ms`,
  ['n', ...columns, 'queue/local', 'queue/activity', 'queue/python'],
  rows.map((row) => [row.n, ...columns.map((name) => row[name] ?? '—'), row['durable · queue'] / row.local, row['durable · queue'] / row['durable · activity'], row['durable · queue'] / row[PYTHON]]),
);
const points = rows.flatMap((row) => columns.filter((engine) => row[engine] !== undefined).map((engine) => ({ n: row.n, engine, overheadMs: Math.max(row[engine], 1) })));
await writeResults(
  'fork-join',
  { sleepMs, repeats, studyWarmOverheadMsAt1024: STUDY_WARM_OVERHEAD_MS_AT_1024, goalDurableMs: GOAL_DURABLE_MS, rows },
  lineChart(`Fork-join overhead (wall − ${sleepMs} ms), median of ${repeats}`, points, { field: 'n', title: 'n (processes = tasks)', log: true }, { field: 'overheadMs', title: 'overhead (ms, log)', log: true }),
);
