// `npm run build` (and `prepare`, so installs from git build too): mpflow's TypeScript compiled
// to dist/ (JavaScript, declarations, source maps), beside the files it reads as they are.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const ASSETS = ['state/scripts', 'compute/local/task-thread.mjs', 'infra/lambda-runtime.mjs', 'cli/bin.js', 'cli/template'];

rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
for (const asset of ASSETS) cpSync(`${root}${asset}`, `${root}dist/${asset}`, { recursive: true });
