/**
 * Pipe throughput (the study's benchmark 3): 1,000 messages of 1 MiB from one task to
 * another, on the local and the durable engine in one invocation. The receiver times it.
 *   npx tsx bench/pipe-throughput/run.ts [count=1000] [sizeBytes=1048576]
 */
import { barChart } from '../chart.js';
import { engines, printTable, writeResults } from '../lib.js';

const count = Number(process.argv[2] ?? 1000);
const size = Number(process.argv[3] ?? 1024 * 1024);
const TARGET_MB_PER_S = 300;
const STUDY_MB_PER_S = 90;

const runners = await engines('examples/pingpong');
const rows: { engine: string; ms: number; megabytes: number; mbPerSecond: number }[] = [];
try {
  for (const engine of ['local', 'temporal'] as const) {
    const [ms, bytes] = await runners[engine].run<[number, number]>('throughput', count, size);
    if (bytes !== count * size) throw new Error(`${engine}: received ${bytes} bytes of ${count * size}`);
    rows.push({ engine, ms, megabytes: bytes / 1e6, mbPerSecond: bytes / 1e6 / (ms / 1000) });
  }
} finally {
  await runners.local.close();
  await runners.temporal.close();
}
printTable(`pipe throughput, ${count} × ${size} B task→task (target ≥ ${TARGET_MB_PER_S} MB/s; the study: ~${STUDY_MB_PER_S} MB/s)`, ['engine', 'ms', 'MB', 'MB/s', 'vs local'], rows.map((r) => [r.engine, r.ms, r.megabytes, r.mbPerSecond, r.mbPerSecond / rows[0].mbPerSecond]));
await writeResults('pipe-throughput', { count, size, rows }, barChart(`Pipe throughput, ${count} × ${size} B task→task`, rows, { field: 'engine', title: null }, { field: 'mbPerSecond', title: 'MB/s' }));
