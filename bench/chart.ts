/** Renders a benchmark's table as a PNG under bench/results/. */
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { renderPng } from '../cli/chart.js';

export async function writeChart(name: string, spec: TopLevelSpec): Promise<string> {
  const file = new URL(`./results/${name}.png`, import.meta.url);
  writeFileSync(file, await renderPng(spec));
  return file.pathname;
}

/** A line chart of `y` against `x`, one line per `series`, both axes as given. */
export function lineChart(title: string, values: object[], x: { field: string; title: string | null; log?: boolean }, y: { field: string; title: string; log?: boolean }, series = 'engine'): TopLevelSpec {
  return {
    title,
    width: 520,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x.field, type: 'quantitative', title: x.title, scale: x.log ? { type: 'log', nice: false } : {} },
      y: { field: y.field, type: 'quantitative', title: y.title, scale: y.log ? { type: 'log' } : {} },
      color: { field: series, type: 'nominal', title: null, legend: { labelLimit: 0 } },
    },
  } as TopLevelSpec;
}

/** A bar chart of `y` for each `x` category, one bar per `series`. */
export function barChart(title: string, values: object[], x: { field: string; title: string | null }, y: { field: string; title: string; log?: boolean }, series = 'engine'): TopLevelSpec {
  return {
    title,
    width: 520,
    height: 320,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: x.field, type: 'nominal', title: x.title },
      xOffset: { field: series },
      y: { field: y.field, type: 'quantitative', title: y.title, scale: y.log ? { type: 'log' } : {} },
      // A log scale has no zero for bars to start from: they start below the smallest value.
      ...(y.log ? { y2: { datum: Math.min(...values.map((value) => (value as Record<string, number>)[y.field])) / 2 } } : {}),
      color: { field: series, type: 'nominal', title: null, legend: { labelLimit: 0 } },
    },
  } as TopLevelSpec;
}
