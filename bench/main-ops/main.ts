/**
 * What the main program's own operations cost: shared-state operations and small maps, one
 * after another, each awaited. A task reads the wall clock every `every` operations (the
 * main program's clock is the workflow's); the clock's own cost, measured at the start, is
 * taken out of each block.
 */
import { Manager, Pool, Queue, RawValue, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { clock, noop } = proxyTasks<typeof T>();

export interface Blocks {
  /** Milliseconds each block of operations (or maps) took, in order. */
  blocks: number[];
  /** What a clock reading costs, taken out of each block. */
  clockMs: number;
  checksum: number;
}

/** Times blocks of `every` operations of `rounds` rounds of four: an increment, a queue put and get, a dict set. */
export async function operations(rounds: number, every = 1_000): Promise<Blocks> {
  await using manager = await Manager();
  await using pool = new Pool(1);
  const counter = await RawValue('q', 0n);
  const queue = new Queue<number>();
  const dict = await manager.dict<number, number>();
  const timer = await Timer.start(pool);
  for (let i = 0, ops = 0; i < rounds; i++) {
    await counter.increment(1n);
    await queue.put(i);
    await queue.get();
    await dict.set(i % 100, i);
    if ((ops += 4) % every === 0) await timer.mark();
  }
  return { ...timer.result(), checksum: Number(await counter.get()) };
}

/** Times blocks of `every` of `count` sequential maps of 8 no-op chunks on a warm Pool(8). */
export async function maps(count: number, every = 100): Promise<Blocks> {
  await using pool = new Pool(8);
  const items = [0, 1, 2, 3, 4, 5, 6, 7];
  await pool.map(noop, items, 1);
  const timer = await Timer.start(pool);
  let checksum = 0;
  for (let i = 1; i <= count; i++) {
    checksum += (await pool.map(noop, items, 1)).reduce((a, b) => a + b, 0);
    if (i % every === 0) await timer.mark();
  }
  return { ...timer.result(), checksum };
}

class Timer {
  readonly #blocks: number[] = [];
  private constructor(
    private readonly pool: Pool,
    private last: number,
    private readonly clockMs: number,
  ) {}

  /** The clock's cost is the least of a few readings in a row. */
  static async start(pool: Pool): Promise<Timer> {
    const readings = [await pool.apply(clock)];
    for (let i = 0; i < 4; i++) readings.push(await pool.apply(clock));
    const gaps = readings.slice(1).map((reading, i) => reading - readings[i]);
    return new Timer(pool, readings.at(-1)!, Math.min(...gaps));
  }

  async mark(): Promise<void> {
    const now = await this.pool.apply(clock);
    this.#blocks.push(now - this.last - this.clockMs);
    this.last = now;
  }

  result() {
    return { blocks: this.#blocks, clockMs: this.clockMs };
  }
}
