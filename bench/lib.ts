/** Shared by the benchmarks: both engines on one program, medians, a table, results as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { harness, type EngineName, type Harness } from '../test/helpers.js';

export { harness, type EngineName, type Harness };

export async function engines(programDir: string): Promise<Record<EngineName, Harness>> {
  await resolveEndpoints({ temporal: true });
  return { local: await harness('local', programDir), temporal: await harness('temporal', programDir) };
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

export function writeResults(name: string, results: object): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  writeFileSync(file, JSON.stringify({ benchmark: name, host: hostname(), at: new Date().toISOString(), ...results }, null, 2));
  return file.pathname;
}
