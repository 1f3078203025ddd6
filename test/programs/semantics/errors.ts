/** Errors: the main-program side of the scenarios test/errors.test.ts runs, one exported function each. */
import { Pool, Queue } from 'mpflow';
import { caught } from '../scenario-helpers.js';
import { t } from './refs.js';

export async function taskErrorPropagates(): Promise<never> {
  await using pool = new Pool(1);
  return pool.apply(t.fail, ['bad input']);
}

/** `return pool.map(…)` from inside `await using`: the map fails while its other chunk still runs. */
export async function failedMapReturnedFromAwaitUsing(): Promise<number[]> {
  await using pool = new Pool(2);
  return pool.map(t.failAtOnceOrNap, [0, 1_000], 1);
}

export async function taskErrorOfUnknownClass(): Promise<never> {
  await using pool = new Pool(1);
  return pool.apply(t.failWithOwnClass, ['connection refused']);
}

export async function unknownTask(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.apply((t as unknown as Record<string, typeof t.square>).noSuchTask, [1]);
}

export async function nonSerializableArgument(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.map(t.echo, [1, () => 2]);
}

export async function nonSerializableResult(): Promise<unknown> {
  await using pool = new Pool(1);
  return pool.apply(t.returnsFunction);
}

export async function taskErrorsAreNotRetried(): Promise<number> {
  const runs = new Queue<string>();
  await using pool = new Pool(1);
  await caught(() => pool.apply(t.failAfterPut, [runs]));
  return runs.qsize();
}

export async function mainThrows(): Promise<never> {
  throw new SyntaxError('the main program gave up');
}
