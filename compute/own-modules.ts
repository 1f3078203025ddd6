/**
 * mpflow runs from its TypeScript sources in its own repo (under tsx) and from compiled
 * JavaScript in the installed package (dist/). A path to one of its own modules, a thread it
 * starts and the `mpflow` a program imports all follow the copy that is running.
 */
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const COMPILED = import.meta.url.endsWith('.js');

/** The exports condition under which `mpflow` resolves to its sources (package.json, tsconfig.json). */
export const SOURCE_CONDITION = 'mpflow-source';

/** The conditions under which a program's `mpflow` resolves to this copy. */
export const ownConditions: string[] = COMPILED ? [] : [SOURCE_CONDITION];

/** The file of own module `sourcePath` (named by its .ts source), relative to `base` (an import.meta.url). */
export function ownModule(sourcePath: string, base: string): string {
  return fileURLToPath(new URL(COMPILED ? sourcePath.replace(/\.ts$/, '.js') : sourcePath, base));
}

let hooked = false;

/**
 * From the sources, makes the modules this thread imports from now on (a program's main.ts and
 * tasks.ts) resolve `mpflow` to the sources too, as `node --conditions=mpflow-source` would.
 */
export function resolveMpflowToThisCopy(): void {
  if (COMPILED || hooked) return;
  hooked = true;
  const hook = `export function resolve(specifier, context, next) { return next(specifier, { ...context, conditions: [...context.conditions, ${JSON.stringify(SOURCE_CONDITION)}] }); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
