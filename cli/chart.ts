/**
 * A Vega-Lite chart as PNG: compiled by vega-lite, drawn by vega as SVG, rasterized by resvg.
 * They are development dependencies of mpflow (the benchmarks draw with them too); an
 * installed mpflow asks for them when a command needs them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { SetupError } from '../mp-shim/errors.js';

export async function renderPng(spec: TopLevelSpec): Promise<Buffer> {
  const [vega, { compile }, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).catch((error: Error) => {
    throw new SetupError(`drawing a chart needs vega, vega-lite and @resvg/resvg-js (npm install vega vega-lite @resvg/resvg-js): ${error.message}`);
  });
  const view = new vega.View(vega.parse(compile({ background: 'white', ...spec } as TopLevelSpec).spec), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  return new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
}
