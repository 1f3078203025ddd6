/** `mpflow init <dir>`: a starting program (main.ts, tasks.ts, a README) in the user's project. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ValueError } from '../mp-shim/errors.js';

const TEMPLATE = new URL('./template/', import.meta.url);

/** Writes the program into `path` (made if missing) and returns the files written; never overwrites one. */
export function initProgram(path: string): string[] {
  const dir = resolve(path);
  const shown = relative(process.cwd(), dir) || '.';
  const files: Record<string, string> = {
    'main.ts': readFileSync(new URL('main.ts', TEMPLATE), 'utf8'),
    'tasks.ts': readFileSync(new URL('tasks.ts', TEMPLATE), 'utf8'),
    'README.md': readme(basename(dir), shown),
  };
  const present = Object.keys(files).filter((file) => existsSync(join(dir, file)));
  if (present.length) throw new ValueError(`${shown} already has ${present.join(', ')}: mpflow init writes a new program and overwrites nothing`);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text, { flag: 'wx' });
  return Object.keys(files).map((file) => join(shown, file));
}

/** What to run next, for the program in `shown`. */
export function nextSteps(shown: string): string {
  return [
    `next:`,
    `  npx mpflow run ${shown} -- 10 4         # a durable run; with no TEMPORAL_ADDRESS or MPFLOW_REDIS_URL set, mpflow starts its own Temporal dev server and Redis`,
    `  npx mpflow run ${shown} --engine local  # the same program without Temporal, for a quick try`,
    `  npx mpflow worker ${shown}              # more workers, on this machine or others (mpflow's README: Workers on many machines)`,
  ].join('\n');
}

function readme(name: string, shown: string): string {
  return `# ${name}

An mpflow program: \`main.ts\` is the main program (a durable workflow), \`tasks.ts\` holds the functions its processes run. Run it with \`npx mpflow run ${shown} -- 10 4\` (arguments after \`--\` go to \`main\`); its task queue is \`mpflow-${name}\`.
`;
}
