/**
 * Parallel sort of doubles (the study's benchmark 6): in place on a shared Array, through
 * local copies, and over Pipes, on the local and the durable engine in one invocation; medians
 * of `repeats`.
 *   npx tsx bench/sort/run.ts [size=5000000] [processes=4] [repeats=3]
 */
import { barChart } from '../chart.js';
import { engines, median, printTable, sample, writeResults } from '../lib.js';

const size = Number(process.argv[2] ?? 5_000_000);
const processes = Number(process.argv[3] ?? 4);
const repeats = Number(process.argv[4] ?? 3);
const VARIANTS = ['inPlace', 'localCopy', 'pipes'] as const;
const GOAL_DURABLE_OVER_LOCAL = 1.15;
const STUDY_5M_SECONDS = { local: { inPlace: 23.7, localCopy: 15.7, pipes: 14.3 }, lithops: { inPlace: null, localCopy: 356.6, pipes: 17.3 } };

const runners = await engines('examples/sort');
const rows: { variant: string; localMs: number; durableMs: number }[] = [];
try {
  for (const variant of VARIANTS) {
    const ms = { local: 0, temporal: 0 };
    for (const engine of ['local', 'temporal'] as const) {
      const times = await sample(repeats, async () => {
        const outcome = await runners[engine].run<{ sorted: boolean; sameNumbers: boolean }>('sortOnce', variant, size, processes);
        if (!outcome.sorted || !outcome.sameNumbers) throw new Error(`${engine} ${variant}: ${JSON.stringify(outcome)}`);
      });
      ms[engine] = median(times);
    }
    rows.push({ variant, localMs: ms.local, durableMs: ms.temporal });
  }
} finally {
  await runners.local.close();
  await runners.temporal.close();
}
printTable(
  `sort of ${size} doubles, ${processes} processes, median of ${repeats}, results checked (goal: durable/local ≤ ${GOAL_DURABLE_OVER_LOCAL}; the study at 5 M: local VM ${Object.values(STUDY_5M_SECONDS.local).join(' / ')} s, Lithops — / 356.6 / 17.3 s)`,
  ['variant', 'local s', 'durable s', 'durable/local'],
  rows.map((r) => [r.variant, r.localMs / 1000, r.durableMs / 1000, r.durableMs / r.localMs]),
);
const bars = rows.flatMap((r) => [{ variant: r.variant, engine: 'local', seconds: r.localMs / 1000 }, { variant: r.variant, engine: 'durable', seconds: r.durableMs / 1000 }]);
await writeResults('sort', { size, processes, repeats, goalDurableOverLocal: GOAL_DURABLE_OVER_LOCAL, study5MSeconds: STUDY_5M_SECONDS, rows }, barChart(`Sort of ${size} doubles, ${processes} processes`, bars, { field: 'variant', title: null }, { field: 'seconds', title: 'seconds' }));
