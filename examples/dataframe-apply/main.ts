/**
 * A dataframe apply (the study's Pandarallel case): a CSV of reviews on mpflow/fs, split into
 * byte ranges; each task parses its rows, scores each with a sentiment lexicon and writes its
 * part; the main program combines the parts' summaries into a score per category.
 */
import { Pool, fs, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { generateReviews, scoreRange } = proxyTasks<typeof T>();

export async function main(rows = 400_000, processes = 4, partsPerProcess = 4, input = 'reviews.csv'): Promise<{ rows: number; bytes: number; parts: string[]; meanScore: Record<string, number> }> {
  await using pool = new Pool(processes);
  const bytes = (await fs.exists(input)) ? (await fs.stat(input)).size : await pool.apply(generateReviews, [input, rows, 7]);
  const output = `${input.replace(/\.csv$/, '')}-scores`;
  await fs.rm(output, { recursive: true, force: true });
  await fs.mkdir(output, { recursive: true });
  const parts = processes * partsPerProcess;
  const step = Math.ceil(bytes / parts);
  const ranges = Array.from({ length: parts }, (_, i): [string, number, number, string] => [input, i * step, Math.min((i + 1) * step, bytes), `${output}/part-${String(i).padStart(4, '0')}.csv`]);
  const summaries = await pool.starmap(scoreRange, ranges);
  const totals: Record<string, { rows: number; scoreSum: number }> = {};
  for (const { byCategory } of summaries) {
    for (const [category, { rows: count, scoreSum }] of Object.entries(byCategory)) {
      const total = (totals[category] ??= { rows: 0, scoreSum: 0 });
      total.rows += count;
      total.scoreSum += scoreSum;
    }
  }
  return {
    rows: summaries.reduce((sum, { rows: count }) => sum + count, 0),
    bytes,
    parts: summaries.map(({ part }) => part),
    meanScore: Object.fromEntries(Object.entries(totals).sort().map(([category, { rows: count, scoreSum }]) => [category, scoreSum / count])),
  };
}
