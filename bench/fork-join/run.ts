/**
 * Fork-join overhead: wall time of `Pool(n).map(sleep(s), [s] * n)` minus s, for each
 * n on the local and the durable engine, in one invocation. Medians of REPEATS runs.
 *   npx tsx bench/fork-join/run.ts [repeats=3] [sleepMs=1000]   (BENCH_SIZES=1,8 for fewer sizes)
 */
import { engines, median, printTable, sample, writeResults } from '../lib.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,8,64,256,1024').split(',').map(Number);
const repeats = Number(process.argv[2] ?? 3);
const sleepMs = Number(process.argv[3] ?? 1000);
const STUDY_WARM_OVERHEAD_MS_AT_1024 = 940;

const runners = await engines('bench/fork-join');
const rows: { n: number; localMs: number; durableMs: number; ratio: number }[] = [];
try {
  for (const name of ['local', 'temporal'] as const) await runners[name].run('main', 1, 10); // warm-up: threads, bundle, first workflow
  for (const n of SIZES) {
    const overhead = async (name: 'local' | 'temporal') =>
      median(await sample(repeats, () => runners[name].run('main', n, sleepMs))) - sleepMs;
    const localMs = await overhead('local');
    const durableMs = await overhead('temporal');
    rows.push({ n, localMs, durableMs, ratio: durableMs / localMs });
  }
} finally {
  await runners.local.close();
  await runners.temporal.close();
}

printTable(
  `fork-join overhead (wall − ${sleepMs} ms), median of ${repeats}; the study's Lithops (warm Lambda) at n = 1024: ${STUDY_WARM_OVERHEAD_MS_AT_1024} ms`,
  ['n', 'local ms', 'durable ms', 'durable/local', 'durable/study'],
  rows.map(({ n, localMs, durableMs, ratio }) => [n, localMs, durableMs, ratio, n === 1024 ? durableMs / STUDY_WARM_OVERHEAD_MS_AT_1024 : '']),
);
console.log(`\nwrote ${writeResults('fork-join', { sleepMs, repeats, studyWarmOverheadMsAt1024: STUDY_WARM_OVERHEAD_MS_AT_1024, rows })}`);
