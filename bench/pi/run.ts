/**
 * π by Monte Carlo (the study's benchmark 4): examples/pi with a fixed total of samples for
 * n = 1, 2, 4, 8 processes on each engine and dispatch, and Python's multiprocessing.Pool on
 * the same loop (with fewer samples: pure Python is ~100× slower per sample, so it is compared
 * by speedup and samples/s), in one invocation, and with tasks on the dev stack's local Lambda
 * endpoint (each invocation a process of this machine). Medians of REPEATS.
 *   npx tsx bench/pi/run.ts [samples=1000000000] [pythonSamples=20000000] [repeats=3]   (BENCH_SIZES=1,2 for fewer)
 */
import { lineChart } from '../chart.js';
import { LAMBDA, POOL_CONFIGURATIONS, lambdaRunner, median, poolConfigurations, printTable, python, sample, writeResults } from '../lib.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,2,4,8').split(',').map(Number);
const samples = Number(process.argv[2] ?? 1_000_000_000);
const pythonSamples = Number(process.argv[3] ?? 20_000_000);
const repeats = Number(process.argv[4] ?? 3);
const GOAL_DURABLE_OVER_LOCAL = 1.05;
const PYTHON = 'python multiprocessing';

const pools = await poolConfigurations('examples/pi');
const lambda = await lambdaRunner('examples/pi');
const runners = { ...pools, [LAMBDA]: lambda };
const CONFIGURATIONS = [...POOL_CONFIGURATIONS, LAMBDA] as const;
const rows: { engine: string; n: number; ms: number; samplesPerSecond: number; speedup: number }[] = [];
const record = (engine: string, n: number, ms: number, total: number) => {
  const one = rows.find((row) => row.engine === engine && row.n === 1)?.ms ?? ms;
  rows.push({ engine, n, ms, samplesPerSecond: total / (ms / 1000), speedup: one / ms });
};
try {
  for (const name of CONFIGURATIONS) await runners[name].run('main', 1_000, 1); // warm-up: threads, bundle, first workflow
  for (const n of SIZES) {
    for (const name of CONFIGURATIONS) {
      const times = await sample(repeats, async () => {
        const estimate = await runners[name].run<number>('main', samples, n);
        if (Math.abs(estimate - Math.PI) > 1e-3) throw new Error(`${name}: π ≈ ${estimate}`);
      });
      record(name, n, median(times), samples);
    }
    record(PYTHON, n, median(Array.from({ length: repeats }, () => python('pi', n, pythonSamples).ms)), pythonSamples);
  }
} finally {
  await pools.close();
  await lambda.close();
}

const at = (engine: string, n: number) => rows.find((row) => row.engine === engine && row.n === n)!;
printTable(
  `π with ${samples.toExponential(0)} samples (Python: ${pythonSamples.toExponential(0)}), median of ${repeats}; goal: durable/local ≤ ${GOAL_DURABLE_OVER_LOCAL} at the largest n`,
  ['engine', 'n', 'ms', 'samples/s', 'speedup vs n=1', 'vs local'],
  rows.map((row) => [row.engine, row.n, row.ms, row.samplesPerSecond.toExponential(2), row.speedup, row.engine === PYTHON ? '' : row.ms / at('local', row.n).ms]),
);
await writeResults(
  'pi',
  { samples, pythonSamples, repeats, goalDurableOverLocal: GOAL_DURABLE_OVER_LOCAL, rows },
  lineChart('π Monte Carlo: speedup over n = 1 of the same engine', rows, { field: 'n', title: 'processes', log: true }, { field: 'speedup', title: 'speedup' }),
);
