/**
 * mpflow runs from its TypeScript sources in its own repo (under tsx) and from compiled
 * JavaScript in the installed package (dist/). A path to one of its own modules, and the
 * `mpflow` a program imports, follow the copy that is running.
 */
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const COMPILED = !import.meta.url.endsWith('.ts');

/** The file of own module `sourcePath` (named by its .ts source), relative to `base` (an import.meta.url). */
export function ownModule(sourcePath: string, base: string): string {
  return fileURLToPath(new URL(COMPILED ? sourcePath.replace(/\.ts$/, '.js') : sourcePath, base));
}

type EntryPoints = Record<'mpflow' | 'mpflow/fs', string>;

/** What a program's `mpflow` and `mpflow/fs` are in this copy where Node runs it (tasks, the Lambda bundle): Node's streams. */
export const ownEntryPoints: EntryPoints = {
  mpflow: ownModule('../mp-shim/node.ts', import.meta.url),
  'mpflow/fs': ownModule('../mp-shim/fs/node.ts', import.meta.url),
};

/** Their declarations, for type-checking a program: the sources here, the .d.ts files when compiled. */
export const ownTypes: EntryPoints = {
  mpflow: ownEntryPoints.mpflow.replace(/\.js$/, '.d.ts'),
  'mpflow/fs': ownEntryPoints['mpflow/fs'].replace(/\.js$/, '.d.ts'),
};

/** What they are in the workflow sandbox, which has no `node:stream`. */
export const sandboxEntryPoints: EntryPoints = {
  mpflow: ownModule('../mp-shim/index.ts', import.meta.url),
  'mpflow/fs': ownModule('../mp-shim/fs/index.ts', import.meta.url),
};

let hooked = false;

/**
 * From the sources, makes the modules this thread imports from now on (a program's main.ts and
 * tasks.ts) resolve `mpflow` to the sources too: the package's exports name only its compiled
 * dist/. Installed, Node's own resolution already finds this copy.
 */
export function resolveMpflowToThisCopy(): void {
  if (COMPILED || hooked) return;
  hooked = true;
  // The next resolver (tsx's) resolves the file too: it knows a .ts file's format.
  const hook = 'let own; export function initialize(data) { own = data; } export function resolve(specifier, context, next) { return next(own[specifier] ?? specifier, context); }';
  const data = Object.fromEntries(Object.entries(ownEntryPoints).map(([specifier, file]) => [specifier, pathToFileURL(file).href]));
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data });
}
