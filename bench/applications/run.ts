/**
 * The study's four applications (examples/es, gridsearch, dataframe-apply, ppo) at n = 1, 2, 4
 * processes (PPO: environments) on the local engine, the durable engine (queue dispatch), the
 * durable engine with tasks on the dev stack's local Lambda endpoint, and Python's
 * multiprocessing running the same algorithms (bench/peers/applications.py), in one
 * invocation; medians of REPEATS, each run checked to compute what Python computed.
 *   npx tsx bench/applications/run.ts [repeats=3]   (BENCH_SIZES=1,4 for fewer; BENCH_APPLICATIONS=es,ppo for some)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barChart } from '../chart.js';
import { freshStorage } from '../../testing/harness.js';
import { LAMBDA, harness, lambdaRunner, median, printTable, pythonApplication, sample, writeResults, type Harness } from '../lib.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,2,4').split(',').map(Number);
const repeats = Number(process.argv[2] ?? 3);
const PYTHON = 'python multiprocessing';
const CONFIGURATIONS = ['local', 'durable · queue', LAMBDA, PYTHON] as const;
const pythonDir = mkdtempSync(join(tmpdir(), 'mpflow-bench-applications-'));

interface Application {
  /** The example's arguments for n processes, and the same settings for the Python peer. */
  args(n: number): unknown[];
  python(n: number): object;
  /** What must agree between a run and Python's. */
  outcome(result: Record<string, unknown>): unknown;
  /** What the size means. */
  n: string;
}

const APPLICATIONS: Record<string, Application> = {
  es: {
    n: 'processes',
    args: (n) => [{ generations: 20, population: 32, processes: n }],
    python: (n) => ({ generations: 20, population: 32, processes: n }),
    outcome: ({ meanReturns }) => meanReturns,
  },
  gridsearch: {
    n: 'processes',
    args: (n) => [1000, 4, 5, n],
    python: (n) => ({ rows: 1000, inputs: 4, folds: 5, processes: n }),
    outcome: ({ best }) => best,
  },
  'dataframe-apply': {
    n: 'processes',
    args: (n) => [200_000, n, 4],
    python: (n) => ({ rows: 200_000, processes: n, partsPerProcess: 4, dir: pythonDir }),
    outcome: ({ rows, meanScore }) => [rows, Object.values(meanScore as object).map((score: number) => score.toFixed(9))],
  },
  ppo: {
    n: 'environments',
    args: (n) => [{ iterations: 5, environments: n, steps: 100 }],
    python: (n) => ({ iterations: 5, environments: n, steps: 100 }),
    outcome: ({ meanRewards }) => meanRewards,
  },
};

const chosen = (process.env.BENCH_APPLICATIONS ?? Object.keys(APPLICATIONS).join(',')).split(',');
const rows: { application: string; configuration: string; n: number; ms: number; speedup: number }[] = [];
for (const name of chosen) {
  const application = APPLICATIONS[name];
  const dir = `examples/${name}`;
  const storage = freshStorage('file');
  const runners: Record<string, Harness> = {
    local: await harness('local', dir, { storage }),
    'durable · queue': await harness('temporal', dir, { dispatch: 'queue', storage }),
    [LAMBDA]: await lambdaRunner(dir, { storage }),
  };
  try {
    for (const runner of Object.values(runners)) await runner.run('main', ...application.args(1)); // warm-up: threads, bundle, first workflow, the CSV
    pythonApplication(name, application.python(1));
    for (const n of SIZES) {
      const expected = JSON.stringify(application.outcome(pythonApplication(name, application.python(n)) as unknown as Record<string, unknown>));
      for (const [configuration, runner] of Object.entries(runners)) {
        const times = await sample(repeats, async () => {
          const outcome = JSON.stringify(application.outcome(await runner.run<Record<string, unknown>>('main', ...application.args(n))));
          if (outcome !== expected) throw new Error(`${name} on ${configuration}, n = ${n}: ${outcome.slice(0, 200)} where Python computed ${expected.slice(0, 200)}`);
        });
        rows.push({ application: name, configuration, n, ms: median(times), speedup: 0 });
      }
      rows.push({ application: name, configuration: PYTHON, n, ms: median(Array.from({ length: repeats }, () => pythonApplication(name, application.python(n)).ms)), speedup: 0 });
    }
  } finally {
    for (const runner of Object.values(runners)) await runner.close();
  }
}
for (const row of rows) row.speedup = rows.find((one) => one.application === row.application && one.configuration === row.configuration && one.n === SIZES[0])!.ms / row.ms;

for (const name of chosen) {
  printTable(
    `${name}: wall ms (speedup over n = ${SIZES[0]}) by ${APPLICATIONS[name].n}, median of ${repeats}; the same settings and results as Python's`,
    ['n', ...CONFIGURATIONS, 'durable ÷ local', 'local ÷ python'],
    SIZES.map((n) => {
      const at = (configuration: string) => rows.find((row) => row.application === name && row.configuration === configuration && row.n === n)!;
      return [n, ...CONFIGURATIONS.map((configuration) => `${at(configuration).ms.toFixed(0)} (${at(configuration).speedup.toFixed(2)}×)`), at('durable · queue').ms / at('local').ms, at('local').ms / at(PYTHON).ms];
    }),
  );
}
await writeResults(
  'applications',
  { repeats, sizes: SIZES, rows },
  barChart('The study’s applications: wall time by configuration and n', rows.map((row) => ({ ...row, label: `${row.application} n=${row.n}` })), { field: 'label', title: null }, { field: 'ms', title: 'ms', log: true }, 'configuration'),
);
