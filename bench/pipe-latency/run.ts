/**
 * Pipe latency (the study's benchmark 2): one-byte round trips over a Pipe, task↔task and
 * main↔task, on the local and the durable engine in one invocation, and on the durable engine
 * with tasks on the dev stack's local Lambda endpoint. The task times them.
 *   npx tsx bench/pipe-latency/run.ts [rounds=10000] [durableMainRounds=rounds]
 */
import { barChart } from '../chart.js';
import { LAMBDA, engines, lambdaRunner, median, printTable, writeResults } from '../lib.js';

const rounds = Number(process.argv[2] ?? 10_000);
const durableMainRounds = Number(process.argv[3] ?? rounds);
const TARGETS = { taskToTaskP50Ms: 0.25, durableMainToTaskP50Ms: 3 };

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { rounds: samples.length, meanMs: samples.reduce((a, b) => a + b, 0) / samples.length, p50Ms: median(samples), p99Ms: at(0.99), maxMs: sorted.at(-1)! };
}

const runners = { ...(await engines('examples/pingpong')), [LAMBDA]: await lambdaRunner('examples/pingpong') };
const rows: ({ engine: string; path: string } & ReturnType<typeof stats>)[] = [];
try {
  for (const engine of ['local', 'temporal', LAMBDA] as const) {
    await runners[engine].run('taskToTask', 10); // warm-up
    rows.push({ engine, path: 'task↔task', ...stats(await runners[engine].run<number[]>('taskToTask', rounds)) });
    const mainRounds = engine === 'local' ? rounds : durableMainRounds;
    rows.push({ engine, path: 'main↔task', ...stats(await runners[engine].run<number[]>('mainToTask', mainRounds)) });
  }
} finally {
  await Promise.all(Object.values(runners).map((runner) => runner.close()));
}
printTable(
  `pipe round trips, 1 byte (targets: task↔task p50 ≤ ${TARGETS.taskToTaskP50Ms} ms, durable main↔task p50 ≤ ${TARGETS.durableMainToTaskP50Ms} ms; the study: 1 ms mean, 149 ms max)`,
  ['engine', 'path', 'rounds', 'mean ms', 'p50 ms', 'p99 ms', 'max ms', 'p50 vs local'],
  rows.map((r) => [r.engine, r.path, r.rounds, r.meanMs, r.p50Ms, r.p99Ms, r.maxMs, r.p50Ms / rows.find((l) => l.engine === 'local' && l.path === r.path)!.p50Ms]),
);
await writeResults('pipe-latency', { targets: TARGETS, rows }, barChart(`Pipe round trip p50 (ms, log), ${rounds} rounds`, rows, { field: 'path', title: null }, { field: 'p50Ms', title: 'p50 round trip (ms)', log: true }));
