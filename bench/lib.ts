/** Shared by the benchmarks: engines on one program, the Python peer, medians, a table, results as JSON. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devUp, pythonVenv, resolveEndpoints } from '../infra/dev-stack.js';
import { readConfig } from '../workers/config.js';
import { resolveProgram } from '../workers/program.js';
import type { RunOptions } from '../workflows/definitions.js';
import { deployToDevLambda, harness, type EngineName, type Harness } from '../testing/harness.js';
import type { TopLevelSpec } from 'vega-lite';
import { writeChart } from './chart.js';

export { harness, type EngineName, type Harness };

export async function engines(programDir: string): Promise<Record<EngineName, Harness>> {
  await resolveEndpoints(readConfig(), { temporal: true });
  return { local: await harness('local', programDir), temporal: await harness('temporal', programDir) };
}

/** The configurations the pool benchmarks compare, by the name their tables show. */
export const POOL_CONFIGURATIONS = ['local', 'durable · activity', 'durable · queue'] as const;
export type PoolConfiguration = (typeof POOL_CONFIGURATIONS)[number];

/** The local engine (pools launch chunks directly) and the durable engine in each dispatch. */
export async function poolConfigurations(programDir: string): Promise<Record<PoolConfiguration, Harness> & { close(): Promise<void> }> {
  await resolveEndpoints(readConfig(), { temporal: true });
  const runners = {
    local: await harness('local', programDir),
    'durable · activity': await harness('temporal', programDir, { dispatch: 'activity' }),
    'durable · queue': await harness('temporal', programDir, { dispatch: 'queue' }),
  };
  return { ...runners, close: async () => void (await Promise.all(Object.values(runners).map((runner) => runner.close()))) };
}

/** The Lambda column's name: every invocation is a process of this machine's local endpoint, not AWS. */
export const LAMBDA = 'durable · lambda (local endpoint)';

/**
 * The durable engine with tasks on the dev stack's local Lambda endpoint: the program is
 * deployed there first (one function per benchmark program; 1,769 MB is one vCPU on AWS).
 */
export async function lambdaRunner(programDir: string, options: Partial<RunOptions> = {}): Promise<Harness> {
  const { dev } = readConfig();
  await devUp(dev, { lambda: true });
  const config = await deployToDevLambda(programDir, { functionName: `mpflow-bench-${resolveProgram(programDir).name}`, memoryMb: 1769, timeoutSeconds: 900, concurrency: 64 });
  return harness('temporal', programDir, options, { kind: 'lambda', config });
}

/** Runs a workload of bench/peers/pool.py (Python's multiprocessing.Pool) and returns what it printed. */
export function python<T = { ms: number }>(workload: string, ...args: number[]): T {
  return peer('python3', process.env, 'pool.py', [workload, ...args.map(String)]);
}

/** Runs one of the study's applications in bench/peers/applications.py (Python's multiprocessing) with `settings`; returns what it printed. */
export function pythonApplication<T extends { ms: number }>(application: string, settings: object): T {
  return peer('python3', process.env, 'applications.py', [application, JSON.stringify(settings)]);
}

/** The Lithops release the peer column runs, as the study's system on this machine. */
export const LITHOPS_VERSION = '3.8.0';
export const LITHOPS = `lithops ${LITHOPS_VERSION} (localhost)`;

/**
 * Runs a workload of bench/peers/pool.py on Lithops (lithops.multiprocessing, its localhost
 * backend, its state in the dev stack's Redis), installed in a virtualenv under the state dir.
 */
export async function lithops<T = { ms: number }>(workload: string, ...args: number[]): Promise<T> {
  const config = readConfig();
  const { redisUrl } = await resolveEndpoints(config, { temporal: false });
  const venv = pythonVenv(join(config.dev.stateDir, `lithops-${LITHOPS_VERSION}`), [`lithops==${LITHOPS_VERSION}`, 'redis==8.1.0'], 'lithops', 'or run the benchmark with BENCH_LITHOPS=0');
  const bin = join(venv, 'bin');
  // The localhost backend starts each task with the `python` on PATH: the virtualenv's.
  return peer(join(bin, 'python'), { ...process.env, PATH: `${bin}:${process.env.PATH}`, MPFLOW_PEER: 'lithops', MPFLOW_REDIS_URL: redisUrl }, 'pool.py', [workload, ...args.map(String)]);
}

/** Whether a benchmark runs its Lithops column (BENCH_LITHOPS=0 leaves it out). */
export const withLithops = process.env.BENCH_LITHOPS !== '0';

function peer<T>(python: string, env: NodeJS.ProcessEnv, script: string, args: string[]): T {
  const path = fileURLToPath(new URL(`./peers/${script}`, import.meta.url));
  const printed = execFileSync(python, [path, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  // Lithops prints its progress before the result: the JSON is the last line.
  return JSON.parse(printed.trim().split('\n').at(-1)!) as T;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall-clock milliseconds of each of `repeats` runs of `work`. */
export async function sample(repeats: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

export function printTable(title: string, columns: string[], rows: (string | number)[][]): void {
  const cells = [columns, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? format(cell) : cell)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  console.log(`\n${title}`);
  for (const [index, row] of cells.entries()) {
    console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
}

/** Writes the results as JSON and their chart as PNG under bench/results/; prints both paths. */
export async function writeResults(name: string, results: object, chart: TopLevelSpec): Promise<void> {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  writeFileSync(file, JSON.stringify({ benchmark: name, host: hostname(), at: new Date().toISOString(), ...results }, null, 2));
  console.log(`\nwrote ${file.pathname}\nwrote ${await writeChart(name, chart)}`);
}
