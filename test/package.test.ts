/**
 * mpflow as a user gets it: packed with `npm pack`, installed from the tarball into new projects
 * outside the repo, a program written by `mpflow init`, and run there with the installed CLI on
 * both engines and by the project's own `mpflow worker`.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { readConfig, type Endpoints } from '../workers/config.js';

const exec = promisify(execFile);
const ROOT = mkdtempSync(join(tmpdir(), 'mpflow-package-'));
/** `main(10, 4)` of the program `mpflow init` writes: the sum of the squares of 0 … 9. */
const SUM_OF_SQUARES = 285;

/** A JavaScript program in CommonJS, as a CommonJS project writes it without TypeScript. */
const COMMONJS_PROGRAM = {
  'main.js': `const { Pool, proxyTasks } = require('mpflow');
const { cube } = proxyTasks();
exports.main = async function main(n) {
  const pool = new Pool(2);
  try {
    return (await pool.map(cube, Array.from({ length: n }, (_, i) => i))).reduce((a, b) => a + b, 0);
  } finally {
    pool.close();
    await pool.join();
  }
};
`,
  'tasks.js': `exports.cube = (x) => x * x * x;\n`,
};

/** What `tsc --init` writes today, less its comments: the project typechecks the program against mpflow's declarations. */
const TSCONFIG = { compilerOptions: { module: 'nodenext', target: 'esnext', types: [], sourceMap: true, strict: true, verbatimModuleSyntax: true, isolatedModules: true, moduleDetection: 'force', skipLibCheck: true, noEmit: true } };

const PROJECTS = [
  { name: 'esm', described: 'an ES module project with its own tsconfig.json', type: 'module', tsconfig: true },
  { name: 'cjs', described: 'a CommonJS project without a tsconfig.json, as `npm init` makes it', type: 'commonjs', tsconfig: false },
] as const;

let tarball: string;
let endpoints: Endpoints;

before(async () => {
  endpoints = await resolveEndpoints(readConfig(), { temporal: true });
  const packed = join(ROOT, 'packed');
  mkdirSync(packed);
  await exec('npm', ['pack', '--pack-destination', packed], { timeout: 180_000 });
  tarball = join(packed, readdirSync(packed).find((file) => file.endsWith('.tgz'))!);
});

for (const project of PROJECTS) {
  describe(`mpflow installed from its tarball into ${project.described}`, { timeout: 600_000 }, () => {
    const dir = join(ROOT, project.name);
    /** The user's shell: the shared servers, the project's own state directory, a task queue of this test's own. */
    const env = () => ({ ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, MPFLOW_REDIS_URL: endpoints.redisUrl, MPFLOW_STATE_DIR: join(dir, '.mpflow'), MPFLOW_TASK_QUEUE: `package-${project.name}-${process.pid}` });
    const mpflow = (...args: string[]) => exec('npx', ['mpflow', ...args], { cwd: dir, env: env(), timeout: 180_000 });
    /** The result `mpflow run <args…> -- <programArgs…>` prints with --json. */
    const resultOf = async (args: string[], programArgs: string[]) => JSON.parse((await mpflow(...args, '--json', '--', ...programArgs)).stdout).result as unknown;

    before(async () => {
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `their-${project.name}-project`, version: '1.0.0', private: true, type: project.type }));
      if (project.tsconfig) writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
      const extra = project.tsconfig ? ['typescript@5.9.3'] : [];
      await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...extra], { cwd: dir, timeout: 300_000 });
    });

    it('is compiled JavaScript with declarations: its exports and its bin point into dist/', () => {
      const installed = join(dir, 'node_modules', 'mpflow');
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      assert.deepEqual(manifest.exports['.'], { types: './dist/mp-shim/node.d.ts', default: './dist/mp-shim/node.js' });
      assert.deepEqual(manifest.exports['./fs'], { types: './dist/mp-shim/fs/node.d.ts', default: './dist/mp-shim/fs/node.js' });
      assert.equal(manifest.bin.mpflow, 'dist/cli/bin.js');
      assert.doesNotMatch(JSON.stringify([manifest.exports, manifest.bin, manifest.main]), /(?<!\.d)\.ts"/, 'nothing the package runs is TypeScript (declarations aside)');
      for (const file of ['dist/mp-shim/index.js', 'dist/mp-shim/node.d.ts', 'dist/cli/bin.js', 'dist/workflows/index.js']) assert.ok(existsSync(join(installed, file)), `the package has ${file}`);
      assert.ok(!existsSync(join(installed, 'mp-shim')), 'the package ships no TypeScript sources to run');
    });

    it('`mpflow init` writes a starting program and says what to run next', async () => {
      const { stderr } = await mpflow('init', 'prog');
      assert.deepEqual(readdirSync(join(dir, 'prog')).sort(), ['README.md', 'main.ts', 'tasks.ts']);
      assert.match(stderr, /next:\n {2}npx mpflow run prog/);
      await assert.rejects(mpflow('init', 'prog'), /prog already has main\.ts, tasks\.ts, README\.md: mpflow init writes a new program and overwrites nothing/);
    });

    if (project.tsconfig) {
      it("typechecks the program against mpflow's declarations (the exports' types condition)", async () => {
        await exec('npx', ['tsc', '-p', '.'], { cwd: dir, timeout: 120_000 });
      });
    }

    it('runs the program on the local engine', async () => {
      assert.equal(await resultOf(['run', 'prog', '--engine', 'local'], ['10', '4']), SUM_OF_SQUARES);
    });

    it('runs the program durably on Temporal, its main.ts bundled with the compiled mpflow from node_modules', async () => {
      assert.equal(await resultOf(['run', 'prog'], ['10', '4']), SUM_OF_SQUARES);
    });

    it("serves a run started with --no-worker from the project's `mpflow worker`", async (t) => {
      const worker = spawn(join(dir, 'node_modules', '.bin', 'mpflow'), ['worker', 'prog'], { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
      t.after(() => worker.kill('SIGKILL'));
      await new Promise<void>((resolve, reject) => {
        let said = '';
        worker.stderr!.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (said.includes('on task queue')) resolve();
        });
        worker.once('exit', (code) => reject(new Error(`mpflow worker exited (${code}): ${said}`)));
      });
      assert.equal(await resultOf(['run', 'prog', '--no-worker'], ['10', '4']), SUM_OF_SQUARES);
    });

    if (project.type === 'commonjs') {
      it('runs a JavaScript program written as CommonJS on both engines', async () => {
        mkdirSync(join(dir, 'jsprog'));
        for (const [file, text] of Object.entries(COMMONJS_PROGRAM)) writeFileSync(join(dir, 'jsprog', file), text);
        const sumOfCubes = Array.from({ length: 6 }, (_, i) => i ** 3).reduce((a, b) => a + b, 0);
        assert.equal(await resultOf(['run', 'jsprog', '--engine', 'local'], ['6']), sumOfCubes);
        assert.equal(await resultOf(['run', 'jsprog'], ['6']), sumOfCubes);
      });
    }
  });
}
