/** A program is a directory with main.ts (the main program, workflow code) and tasks.ts (what processes run). */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ValueError } from '../mp-shim/errors.js';

export interface Program {
  name: string;
  dir: string;
  main: string;
  tasks: string;
  /**
   * The task queue its workflows and activities use: named after the program, the same on
   * every machine, so a worker started from any copy of the program serves its runs.
   */
  taskQueue: string;
}

/** A program's own task queue is this followed by its directory's name. */
const TASK_QUEUE_PREFIX = 'mpflow-';

/** The program a task queue stands for: `<name>` of `mpflow-<name>`, else the task queue itself. */
export function programNameOf(taskQueue: string): string {
  return taskQueue.startsWith(TASK_QUEUE_PREFIX) ? taskQueue.slice(TASK_QUEUE_PREFIX.length) : taskQueue;
}

/** The program in directory `path`, on `taskQueue` if given (else `mpflow-<directory name>`). */
export function resolveProgram(path: string, taskQueue?: string): Program {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ValueError(`program ${path} is not a directory (a program is a directory with main.ts and tasks.ts)`);
  }
  const main = findModule(dir, 'main');
  const tasks = findModule(dir, 'tasks');
  if (!main) throw new ValueError(`program ${path} has no main.ts: it holds the main program`);
  if (!tasks) throw new ValueError(`program ${path} has no tasks.ts: it holds the functions processes run`);
  const name = basename(dir);
  return { name, dir, main, tasks, taskQueue: taskQueue ?? `${TASK_QUEUE_PREFIX}${name}` };
}

function findModule(dir: string, stem: string): string | undefined {
  return ['.ts', '.mts', '.js', '.mjs'].map((ext) => join(dir, stem + ext)).find((file) => existsSync(file));
}
