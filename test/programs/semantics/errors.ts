/** Errors: the main-program side of the scenarios test/errors.test.ts runs, one exported function each. */
import { Pool, Process, Queue, SystemExit } from 'mpflow';
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

/** `process.exit(3)` in a pool's task fails that call with SystemExit, once; in a Process it is the exit code. */
export async function processExitInTasks() {
  const runs = new Queue<string>();
  await using pool = new Pool(2);
  const inPool = await pool.apply(t.exitAfterPut, [3, runs]).then(
    () => undefined,
    (error: SystemExit) => ({ error: `${error.name}: ${error.message}`, code: error.code, isSystemExit: error instanceof SystemExit }),
  );
  const exitCodes: (number | null)[] = [];
  for (const code of [3, 0]) {
    const p = new Process({ target: t.exitAfterPut, args: [code, runs] });
    p.start();
    await p.join();
    exitCodes.push(p.exitCode);
  }
  return { inPool, attempts: await runs.qsize(), exitCodes };
}

/** An error thrown from a task's timer, and a rejection nobody awaits, fail their own tasks; the tasks beside them finish. */
export async function uncaughtErrorsFailTheirTask() {
  await using pool = new Pool(2);
  const calls = [pool.apply(t.throwFromTimer, ['from a timer']), pool.apply(t.rejectUnawaited, ['unawaited']), pool.apply(t.nap, [300]), pool.apply(t.nap, [300])];
  const settled = await Promise.allSettled(calls);
  return settled.map((result) => (result.status === 'fulfilled' ? result.value : `${result.reason.name}: ${result.reason.message}`));
}
