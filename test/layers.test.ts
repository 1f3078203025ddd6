import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The layers, from the public API down to the servers' clients: a module may import its own
 * folder and the folders of lower layers, never a higher one (nor another folder of its own layer).
 */
const LAYERS: string[][] = [['mp-shim'], ['state', 'storage'], ['compute'], ['activities'], ['workflows'], ['workers'], ['infra'], ['cli', 'testing']];
const ROOT = resolve(import.meta.dirname, '..');
/** mp-shim as Node code imports it (tasks, the local engine): Node's streams; the workflow sandbox never loads these. */
const NODE_ENTRY_POINTS = ['mp-shim/node.ts', 'mp-shim/fs/node.ts', 'mp-shim/fs/node-streams.ts'];

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mjs)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

/** The project files `file` imports (type-only imports too: a reader follows them all the same). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]);
  return specs.map((spec) => {
    const target = join(dirname(file), spec);
    const candidates = [target, target.replace(/\.js$/, '.ts'), join(target, 'index.ts')];
    const found = candidates.find((candidate) => existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile());
    assert.ok(found, `${file} imports ${spec}, which does not exist`);
    return found;
  });
}

const folderOf = (file: string) => file.split('/')[0];
const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));
const files = LAYERS.flat().flatMap(sources);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the import graph', () => {
  it('runs one way, from the public API down to the servers: no folder imports a higher layer or a sibling', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [from, to] = [folderOf(file), folderOf(target)];
        if (from !== to && layerOf(to) >= layerOf(from)) upward.push(`${file} → ${relative(ROOT, join(ROOT, target))}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it('has no cycle between modules', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') return void cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('keeps mp-shim sandbox-safe: it imports nothing from Node or from the layers below it, but for the entry points Node code uses', () => {
    const sandboxed = sources('mp-shim').filter((file) => !NODE_ENTRY_POINTS.includes(file));
    const offending = sandboxed.filter((file) => /from\s+'(node:|ioredis|@aws-sdk|@temporalio\/(worker|client|activity))/.test(readFileSync(join(ROOT, file), 'utf8')));
    const reachingNode = sandboxed.filter((file) => graph.get(file)!.some((target) => NODE_ENTRY_POINTS.includes(target)));
    assert.deepEqual([...offending, ...reachingNode], []);
  });
});
