/**
 * A map of 20,000 items with chunksize 1 on both engines: the durable engine must batch
 * it into child workflows to stay inside Temporal's history and pending-activity limits.
 *   npx tsx bench/big-map/run.ts [items=20000] [processes=64]
 */
import { engines, printTable, sample, writeResults } from '../lib.js';

const items = Number(process.argv[2] ?? 20_000);
const processes = Number(process.argv[3] ?? 64);
const expected = items * (items - 1);

const runners = await engines('bench/big-map');
const rows: { engine: string; ms: number; tasksPerSecond: number }[] = [];
try {
  for (const engine of ['local', 'temporal'] as const) {
    let result: unknown;
    const [ms] = await sample(1, async () => (result = await runners[engine].run('main', items, processes)));
    if (result !== expected) throw new Error(`${engine}: expected ${expected}, got ${result}`);
    rows.push({ engine, ms, tasksPerSecond: (items / ms) * 1000 });
  }
} finally {
  await runners.local.close();
  await runners.temporal.close();
}
printTable(`map of ${items} items, chunksize 1, Pool(${processes}) — results checked`, ['engine', 'wall ms', 'tasks/s', 'µs/task'], rows.map((r) => [r.engine, r.ms, r.tasksPerSecond, (r.ms * 1000) / items]));
console.log(`durable/local: ${(rows[1].ms / rows[0].ms).toFixed(1)}×`);
console.log(`\nwrote ${writeResults('big-map', { items, processes, rows })}`);
