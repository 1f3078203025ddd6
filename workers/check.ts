/**
 * What is wrong with a program before anything runs, one line a person can act on per problem:
 * `file:line:column message` for code that does not parse or type-check, and for main.ts (or a
 * module it imports) reaching for Node, which the workflow sandbox does not have, which import
 * it is and what to use instead. `mpflow check` runs it all; a failed bundle is explained by it.
 */
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { ownTypes } from '../compute/own-modules.js';
import type { Program } from './program.js';

/** Problems of main.ts as workflow code: syntax (esbuild's parse) and imports of Node's modules. */
export async function workflowCodeProblems(program: Program): Promise<string[]> {
  const result = await build({
    entryPoints: [program.main],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    external: ['mpflow', 'mpflow/*', '@temporalio/*'],
  }).catch((failure: { errors?: Message[] }) => failure);
  if ('errors' in result && result.errors?.length) return result.errors.map(located);
  if (!('metafile' in result) || !result.metafile) return [];
  const problems: string[] = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (file.includes('node_modules/')) continue;
    for (const imported of input.imports) {
      if (imported.external && isBuiltin(imported.path)) problems.push(nodeImport(program, resolve(file), imported.original ?? imported.path));
    }
  }
  return problems;
}

/** A path as the user would type it: relative to the working directory when under it. */
export function shownPath(path: string): string {
  const under = relative(process.cwd(), path);
  return under.startsWith('..') ? path : under;
}

function located({ text, location }: Message): string {
  if (!location) return text;
  return `${shownPath(resolve(location.file))}:${location.line}:${location.column + 1} ${text}`;
}

function nodeImport(program: Program, file: string, specifier: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes(`'${specifier}'`) || text.includes(`"${specifier}"`));
  const column = line === -1 ? 0 : lines[line].indexOf(specifier) - 1;
  const where = `${shownPath(file)}:${line + 1}:${column + 1}`;
  const instead = /^(node:)?fs(\/promises)?$/.test(specifier) ? "use mpflow/fs (import { fs } from 'mpflow') for files, or " : '';
  return `${where} imports ${specifier}, which ${relative(program.dir, file) === relative(program.dir, program.main) ? 'the main program' : `main.ts (through ${shownPath(file)})`} cannot use: it runs as deterministic workflow code, replayed after a crash, without Node's modules; ${instead}move the code that needs it into tasks.ts`;
}

/**
 * Type errors of main.ts and tasks.ts, with the program's own tsconfig.json when it has one,
 * by the TypeScript the program's project installs (else mpflow's own, if present); undefined
 * when no TypeScript is installed.
 */
export async function typeProblems(program: Program): Promise<string[] | undefined> {
  const ts = loadTypeScript(program.dir);
  if (!ts) return undefined;
  const configFile = ts.findConfigFile(program.dir, ts.sys.fileExists);
  const fromConfig = configFile ? ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, dirname(configFile)).options : {};
  const options = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    ...fromConfig,
    noEmit: true,
    // A program outside any project that has mpflow installed still finds this copy's declarations.
    paths: { mpflow: [ownTypes.mpflow], 'mpflow/fs': [ownTypes['mpflow/fs']], ...fromConfig.paths },
  };
  const checked = ts.createProgram([program.main, program.tasks], options);
  return ts
    .getPreEmitDiagnostics(checked)
    .filter((diagnostic) => !diagnostic.file || !diagnostic.file.fileName.includes('/node_modules/'))
    .map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      if (!diagnostic.file || diagnostic.start === undefined) return `error TS${diagnostic.code}: ${message}`;
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return `${shownPath(diagnostic.file.fileName)}:${line + 1}:${character + 1} error TS${diagnostic.code}: ${message}`;
    });
}

type TypeScript = typeof import('typescript');

function loadTypeScript(dir: string): TypeScript | undefined {
  for (const from of [join(dir, 'package.json'), import.meta.url]) {
    try {
      return createRequire(from)('typescript') as TypeScript;
    } catch {
      // not installed there
    }
  }
  return undefined;
}
