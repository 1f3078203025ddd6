/**
 * The main program's own operations: per-operation time of shared-state operations issued one
 * after another (an increment, a queue put and get, a dict set), per-map time of sequential
 * 8-chunk maps on a warm pool, and whether either grows as a run's history grows: the last
 * block against the first. Both engines and Python's multiprocessing (Manager proxies,
 * Pool.map), in one invocation.
 *   npx tsx bench/main-ops/run.ts [operations=40000] [maps=1000]
 */
import { barChart } from '../chart.js';
import { harness, median, printTable, python, writeResults } from '../lib.js';
import { mainResult } from '../../workers/client.js';
import { replayWithCost, type ReplayCost } from '../../workers/replay.js';
import { dataConverter } from '../../workers/worker.js';
import type { Blocks } from './main.js';

const operations = Number(process.argv[2] ?? 40_000);
const maps = Number(process.argv[3] ?? 1_000);
const OPERATIONS_PER_BLOCK = 1_000;
const MAPS_PER_BLOCK = 100;
const GOAL_US_PER_OPERATION = 2_000;
const GOAL_MS_PER_MAP = 20;
const GOAL_GROWTH = 1.2;

interface Row {
  engine: string;
  usPerOperation: number;
  operationGrowth: number;
  msPerMap: number;
  mapGrowth: number;
}

const rows: Row[] = [];
let replayed: (ReplayCost & { compatible: boolean }) | undefined;
for (const engine of ['local', 'temporal'] as const) {
  const runner = await harness(engine, 'bench/main-ops');
  try {
    await runner.run('operations', 250); // warm-up: threads, bundle, first workflow
    const started = await runner.start?.('operations', operations / 4, OPERATIONS_PER_BLOCK);
    const ops = started ? await mainResult<Blocks>(started) : await runner.run<Blocks>('operations', operations / 4, OPERATIONS_PER_BLOCK);
    // What a worker taking this run over at its end would replay.
    if (started) replayed = await replayWithCost(runner.program, await started.fetchHistory(), dataConverter(runner.config, runner.store));
    if (ops.checksum !== operations / 4) throw new Error(`${engine}: counter ${ops.checksum}, expected ${operations / 4}`);
    const mapped = await runner.run<Blocks>('maps', maps, MAPS_PER_BLOCK);
    if (mapped.checksum !== maps * 28) throw new Error(`${engine}: checksum ${mapped.checksum}, expected ${maps * 28}`);
    rows.push({
      engine: engine === 'local' ? 'local' : 'durable',
      usPerOperation: (median(ops.blocks) * 1000) / OPERATIONS_PER_BLOCK,
      operationGrowth: growth(ops.blocks),
      msPerMap: median(mapped.blocks) / MAPS_PER_BLOCK,
      mapGrowth: growth(mapped.blocks),
    });
  } finally {
    await runner.close();
  }
}
const { usPerOp } = python<{ usPerOp: number }>('main-ops', operations / 4, 0);
const { msPerMap } = python<{ msPerMap: number }>('main-maps', maps, 8);
rows.push({ engine: 'python multiprocessing (Manager, Pool)', usPerOperation: usPerOp, operationGrowth: NaN, msPerMap, mapGrowth: NaN });
if (!replayed?.compatible) throw new Error('the durable run did not replay against its own code');

printTable(
  `${operations} shared-state operations in blocks of ${OPERATIONS_PER_BLOCK}, ${maps} maps of 8 no-op chunks in blocks of ${MAPS_PER_BLOCK}; medians of the blocks; growth: the last tenth of the blocks ÷ the first (goals, durable: ≤ ${GOAL_US_PER_OPERATION} µs/op, ≤ ${GOAL_MS_PER_MAP} ms/map, growth ≤ ${GOAL_GROWTH})`,
  ['engine', 'µs/op', 'op growth', 'ms/map', 'map growth', 'µs/op vs python', 'ms/map vs python'],
  rows.map((r) => [r.engine, r.usPerOperation, orDash(r.operationGrowth), r.msPerMap, orDash(r.mapGrowth), r.usPerOperation / usPerOp, r.msPerMap / msPerMap]),
);
console.log(`\nreplay of the durable run's history (what a worker taking it over pays): ${replayed.events} events in ${replayed.ms} ms (${((replayed.ms * 1000) / replayed.events).toFixed(0)} µs/event), memory +${replayed.memoryMb} MB`);
await writeResults(
  'main-ops',
  { operations, maps, goals: { usPerOperation: GOAL_US_PER_OPERATION, msPerMap: GOAL_MS_PER_MAP, growth: GOAL_GROWTH }, rows, replay: replayed },
  barChart(`µs per main-program operation (log scale)`, rows, { field: 'engine', title: null }, { field: 'usPerOperation', title: 'µs per operation', log: true }),
);

/** The median of the last tenth of the blocks over that of the first tenth (the very first left out: it warms up). */
function growth(blocks: number[]): number {
  const tenth = Math.max(1, Math.round(blocks.length / 10));
  return median(blocks.slice(-tenth)) / median(blocks.slice(1, 1 + tenth));
}

function orDash(value: number): number | string {
  return Number.isNaN(value) ? '—' : value;
}
