/** Shared values and arrays: the main-program side of the scenarios test/sharedctypes.test.ts runs, one exported function each. */
import { Array as SharedArrayOf, Pool, Process, RLock, RawValue, Value } from 'mpflow';
import { caught, range } from '../scenario-helpers.js';
import { t, runAll } from './refs.js';

export async function arraySlicesAndElements() {
  const array = await SharedArrayOf('d', [1.5, 2.5, 3.5, 4.5]);
  await using pool = new Pool(2);
  await pool.starmap(t.doubleInPlace, [[array, 0, 2], [array, 2, 4]]);
  const big = await SharedArrayOf('q', [1n, 2n ** 60n]);
  const bytes = await SharedArrayOf('B', 3);
  return {
    doubled: [...(await array.slice())],
    last: await array.get(-1),
    middle: [...(await array.slice(1, 3))],
    outOfRange: await caught(() => array.get(4)),
    bigIncrement: await big.increment(1, 5n),
    bigFirst: await big.get(0),
    wraps: await (async () => { await bytes.set(0, 255); return bytes.increment(0); })(),
    length: array.length,
    badTypecode: await caught(() => SharedArrayOf('x' as 'd', 1)),
    tooLong: await caught(() => array.setSlice(3, [1, 2])),
  };
}

export async function atomicValueIncrements(tasks: number, times: number) {
  const counter = await Value('i', 0);
  const float = await Value('d', 0.5);
  await runAll(range(tasks).map(() => new Process({ target: t.atomicIncrements, args: [counter, times] })));
  await float.increment(0.25);
  return { counter: await counter.get(), float: await float.get(), rawLock: await caught(async () => (await RawValue('i')).getLock()), hasLock: counter.getLock() instanceof RLock };
}
