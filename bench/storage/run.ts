/**
 * Object storage (the study's benchmark 5): n processes (1, 2, 4, 8, 16) each write a file of
 * fixed size through mpflow/fs, then each read theirs back; aggregate MB/s per phase and n, on
 * the local directory and on S3 (the dev stack's moto server, in memory), in one invocation.
 * Processes time themselves, so the figures are storage's, not the engine's. Medians of REPEATS.
 *   npx tsx bench/storage/run.ts [megabytes=64] [repeats=3]   (BENCH_SIZES=1,2 for fewer)
 */
import { devUp } from '../../infra/dev-stack.js';
import { readConfig } from '../../workers/config.js';
import { freshStorage, STORAGES } from '../../testing/harness.js';
import { lineChart } from '../chart.js';
import { harness, median, printTable, writeResults } from '../lib.js';
import type { Phase } from './main.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,2,4,8,16').split(',').map(Number);
const megabytes = Number(process.argv[2] ?? 64);
const repeats = Number(process.argv[3] ?? 3);
const STUDY = 'the study on AWS S3 peaked at 80 GB/s read and 65 GB/s write with 1,000 Lambda functions';

await devUp(readConfig().dev, { s3: true });
const rows: { storage: string; n: number; phase: string; mbPerSecond: number; scaling: number }[] = [];
for (const storage of STORAGES) {
  const runner = await harness('local', 'bench/storage', { storage: freshStorage(storage) });
  try {
    await runner.run('main', 1, 1); // warm-up: threads, S3 client and bucket
    for (const n of SIZES) {
      const runs: { write: Phase; read: Phase }[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await runner.run('main', n, megabytes));
      for (const phase of ['write', 'read'] as const) {
        const mbPerSecond = median(runs.map((run) => run[phase].bytes / 1e6 / (run[phase].ms / 1000)));
        const one = rows.find((row) => row.storage === storage && row.phase === phase && row.n === SIZES[0])?.mbPerSecond ?? mbPerSecond;
        rows.push({ storage, n, phase, mbPerSecond, scaling: mbPerSecond / one });
      }
    }
  } finally {
    await runner.close();
  }
}

const at = (storage: string, n: number, phase: string) => rows.find((row) => row.storage === storage && row.n === n && row.phase === phase)!;
printTable(
  `object storage: n processes each write then read ${megabytes} MiB (streams), aggregate MB/s, median of ${repeats}; ${STUDY}`,
  ['storage', 'n', 'phase', 'MB/s', `vs n=${SIZES[0]}`, 's3 / file'],
  rows.map((row) => [row.storage, row.n, row.phase, row.mbPerSecond, row.scaling, row.storage === 's3' ? row.mbPerSecond / at('file', row.n, row.phase).mbPerSecond : '']),
);
const series = rows.map((row) => ({ ...row, series: `${row.storage} · ${row.phase}` }));
await writeResults(
  'storage',
  { megabytes, repeats, s3: 'moto server (dev stack), in memory, on this machine', rows },
  lineChart(`Object storage: aggregate MB/s, n processes × ${megabytes} MiB`, series, { field: 'n', title: 'processes', log: true }, { field: 'mbPerSecond', title: 'MB/s', log: true }, 'series'),
);
