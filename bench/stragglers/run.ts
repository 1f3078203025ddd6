/**
 * Straggler copies: a map of CHUNKS chunks of MS on Pool(PROCESSES) whose first slot runs every
 * task SLOW× slower, with straggler copies on and off, on both engines (queue dispatch), in one
 * invocation. Without copies the map waits for the slow slot; with them it should end near
 * CHUNKS × MS / PROCESSES, the time with no slow slot at all. Medians of REPEATS.
 *   npx tsx bench/stragglers/run.ts [chunks=64] [ms=200] [slow=20] [processes=8] [repeats=3]
 */
import { barChart } from '../chart.js';
import { engines, median, printTable, writeResults } from '../lib.js';

const [chunks, ms, slow, processes, repeats] = [64, 200, 20, 8, 3].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
const idealMs = (chunks * ms) / processes;

const runners = await engines('bench/stragglers');
const rows: { engine: string; copies: string; ms: number; overIdeal: number }[] = [];
try {
  for (const engine of ['local', 'temporal'] as const) {
    await runners[engine].run('main', processes, 10, 1, processes, true); // warm-up: threads, bundle, first workflow
    for (const speculative of [false, true]) {
      // The main program times the map itself: a run's start-up is not the stragglers' doing.
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) times.push(await runners[engine].run<number>('main', chunks, ms, slow, processes, speculative));
      const measured = median(times);
      rows.push({ engine: engine === 'local' ? 'local · queue' : 'durable · queue', copies: speculative ? 'copies on' : 'copies off', ms: measured, overIdeal: measured / idealMs });
    }
  }
} finally {
  await runners.local.close();
  await runners.temporal.close();
}
printTable(
  `${chunks} chunks of ${ms} ms on Pool(${processes}), one slot ${slow}× slower; without a slow slot the map takes ${idealMs} ms`,
  ['engine', 'straggler copies', 'map ms', 'vs no slow slot'],
  rows.map((r) => [r.engine, r.copies, r.ms, r.overIdeal]),
);
await writeResults('stragglers', { chunks, ms, slow, processes, repeats, idealMs, rows }, barChart(`Map time with one slot ${slow}× slower (no slow slot: ${idealMs} ms)`, rows, { field: 'engine', title: null }, { field: 'ms', title: 'map ms' }, 'copies'));
