import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { readConfig, type Endpoints } from '../workers/config.js';

const exec = promisify(execFile);
const CLI = resolve('cli/bin.js');
/** The program's name, and so its task queue: the same in every copy, and this file's own. */
const NAME = `machines-${process.pid}`;
const CHUNKS = 12;
const ROOT = mkdtempSync(join(tmpdir(), 'mpflow-machines-'));

interface Machine {
  name: string;
  stateDir: string;
  program: string;
}

/** Edits to a program's files, each from its text to the edited text. */
type Edits = Partial<Record<'main.ts' | 'tasks.ts', (text: string) => string>>;

/** A user's project on machine `name`: the program `NAME` in it, with `edits`, mpflow installed beside it. */
function machine(name: string, edits: Edits = {}): Machine {
  const root = join(ROOT, name);
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(resolve('.'), join(root, 'node_modules', 'mpflow'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'their-project', type: 'module', private: true }));
  const program = join(root, NAME);
  cpSync('test/programs/machines', program, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) writeFileSync(join(program, file), edit(readFileSync(join(program, file), 'utf8')));
  return { name, stateDir: join(root, '.mpflow'), program };
}

let endpoints: Endpoints;
const workers: ChildProcess[] = [];

before(async () => {
  endpoints = await resolveEndpoints(readConfig(), { temporal: true });
});

after(() => {
  for (const worker of workers) worker.kill('SIGKILL');
});

/** What a machine's environment says: the shared Temporal and Redis, its own state directory. */
const envOf = (machine: Machine) => ({
  ...process.env,
  TEMPORAL_ADDRESS: endpoints.temporalAddress,
  MPFLOW_REDIS_URL: endpoints.redisUrl,
  MPFLOW_STATE_DIR: machine.stateDir,
  MPFLOW_TASK_QUEUE: '',
});

/** `mpflow <args>` on `machine`, from its project directory. */
const mpflow = (machine: Machine, ...args: string[]) => exec(process.execPath, [CLI, ...args], { cwd: join(ROOT, machine.name), env: envOf(machine), timeout: 180_000 });

/** The chunks' report of where they ran, from `mpflow run <program> --no-worker --json` on `machine`. */
async function runWithoutWorker(machine: Machine, ...args: string[]): Promise<{ workflowId: string; ranOn: string[] }> {
  const { stdout } = await mpflow(machine, 'run', machine.program, '--no-worker', ...args, '--json', '--', String(CHUNKS));
  const { workflowId, result } = JSON.parse(stdout);
  return { workflowId, ranOn: result };
}

/** `mpflow worker` started on a machine from its copy; resolves with what it said once it polls. */
async function startWorker(machine: Machine): Promise<{ worker: ChildProcess; said: string }> {
  const worker = spawn(process.execPath, [CLI, 'worker', machine.program], { cwd: join(ROOT, machine.name), env: envOf(machine), stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(worker);
  let said = '';
  return new Promise((resolve, reject) => {
    worker.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      // Its notice about runs of other code, if any, comes first.
      if (said.includes('on task queue')) resolve({ worker, said });
    });
    worker.once('exit', (code) => reject(new Error(`the worker of machine ${machine.name} exited (${code}): ${said}`)));
  });
}

describe('workers on many machines serve one program by its name', { timeout: 300_000 }, () => {
  it('a run started with --no-worker from a third copy finishes on the workers of two others at other paths, and each ran some of its chunks', async (t) => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => machine(name));
    const said = await Promise.all([startWorker(a), startWorker(b)]);
    for (const { said: line } of said) assert.match(line, new RegExp(`on task queue mpflow-${NAME},`), 'both copies serve the task queue named after the program');
    const { ranOn } = await runWithoutWorker(c);
    const chunksOf = (machine: Machine) => ranOn.filter((where) => where === machine.stateDir).length;
    t.diagnostic(`chunks run by machine a: ${chunksOf(a)}, by machine b: ${chunksOf(b)}`);
    assert.equal(ranOn.length, CHUNKS);
    assert.equal(chunksOf(a) + chunksOf(b), CHUNKS, `every chunk ran on machine a or b: ${ranOn.join(', ')}`);
    assert.ok(chunksOf(a) > 0 && chunksOf(b) > 0, 'each machine ran some of the chunks');
    for (const { worker } of said) worker.kill('SIGKILL');
  });
});

describe('a run keeps to the code it was started with', { timeout: 300_000 }, () => {
  const old = machine('old');
  /** main.ts edited: one more pool.map, before the one the old code makes. */
  const edited = machine('edited', { 'main.ts': (main) => main.replace('  return pool.starmap(', '  await pool.starmap(t.whereAmI, [[]]);\n  return pool.starmap(') });
  const commented = machine('commented', { 'main.ts': (main) => `// The same program, and a comment.\n${main}` });
  let firstRun: string;

  it("a worker of an edited main.ts takes none of a run's tasks; the old code's worker runs them all, and `mpflow status` tells the two apart", async () => {
    const [oldWorker, editedWorker] = await Promise.all([startWorker(old), startWorker(edited)]);
    const { workflowId, ranOn } = await runWithoutWorker(old);
    firstRun = workflowId;
    assert.deepEqual(ranOn, Array(CHUNKS).fill(old.stateDir), 'every chunk ran on the old code');
    const status = JSON.parse((await mpflow(old, 'status', workflowId, '--json')).stdout);
    const versionOf = (said: string) => /code version (\S+)/.exec(said)![1];
    assert.equal(status.codeVersion, versionOf(oldWorker.said));
    const seen = new Map(status.workers.map((worker: { buildId: string; runsThisCode: boolean }) => [worker.buildId, worker.runsThisCode]));
    assert.equal(seen.get(versionOf(oldWorker.said)), true);
    assert.equal(seen.get(versionOf(editedWorker.said)), false);
    await Promise.all([stop(oldWorker.worker), stop(editedWorker.worker)]);
  });

  it('a worker of other code names the open runs it leaves alone, and the run finishes once a worker of its code is back', async () => {
    const workflowId = `${NAME}-waiting`;
    const finished = runWithoutWorker(old, '--workflow-id', workflowId);
    await waitUntil(() => mpflow(old, 'status', workflowId).then(() => true, () => false));
    const { worker, said } = await startWorker(edited);
    assert.match(said, new RegExp(`this worker leaves alone 1 open run\\(s\\) started with other code, which a worker of their code serves: ${workflowId} \\(code `));
    await stop(worker);
    await startWorker(old);
    assert.deepEqual((await finished).ranOn, Array(CHUNKS).fill(old.stateDir));
  });

  it('`mpflow replay` finds a comment-only change compatible and reports the divergence of one more pool.map', async () => {
    // A divergence exits with 1: its message is then on the error's stdout.
    const { stdout } = await mpflow(old, 'replay', firstRun, commented.program).catch((error: { stdout: string }) => error);
    assert.equal(stdout.trim(), 'compatible: this code can resume the run');
    await assert.rejects(mpflow(old, 'replay', firstRun, edited.program), (error: { code: number; stdout: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stdout, /^diverges: /);
      return true;
    });
  });
});

/** Stops a worker as Ctrl-C does, and waits until it has. */
async function stop(worker: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGINT');
  await exited;
}

describe('an open run moves to new code only when asked, and only when the code can resume it', { timeout: 300_000 }, () => {
  /** Tasks slow enough for the run to be caught with its tasks started. */
  const slow = (tasks: string) => tasks.replace('setTimeout(resolve, 1_000)', 'setTimeout(resolve, 5_000)');
  const old = machine('paused', { 'tasks.ts': slow });
  const fixed = machine('fix', { 'tasks.ts': (tasks) => slow(tasks).replace("return process.env.MPFLOW_STATE_DIR ?? 'unknown';", "return `fixed ${process.env.MPFLOW_STATE_DIR}`;") });
  const edited = machine('diverging', { 'tasks.ts': slow, 'main.ts': (main) => main.replace('  return pool.starmap(', '  await pool.starmap(t.whereAmI, [[]]);\n  return pool.starmap(') });

  it('`mpflow upgrade` refuses a main.ts that diverges, and moves a paused run to a fix of tasks.ts, whose worker finishes it', async () => {
    const workflowId = `${NAME}-paused`;
    // The old code's only worker dies once the run's tasks have started: the run waits, paused.
    const { worker } = await startWorker(old);
    const finished = runWithoutWorker(old, '--workflow-id', workflowId);
    const started = async () => JSON.parse((await mpflow(old, 'status', workflowId, '--json')).stdout).activitiesInFlight > 0;
    await waitUntil(() => started().catch(() => false));
    worker.kill('SIGKILL');
    await assert.rejects(mpflow(edited, 'upgrade', workflowId, edited.program), /stays on its code: this main\.ts cannot resume it \(\[TMPRL1100\] Nondeterminism error/);
    await startWorker(fixed);
    const { stderr } = await mpflow(fixed, 'upgrade', workflowId, fixed.program);
    assert.match(stderr, /moves from code \S+ to \S+: a worker of this code/);
    const { ranOn } = await finished;
    assert.ok(ranOn.includes(`fixed ${fixed.stateDir}`), `the fixed tasks ran the chunks the dead worker left: ${ranOn.join(', ')}`);
    assert.deepEqual(ranOn.filter((where) => where !== old.stateDir && where !== `fixed ${fixed.stateDir}`), []);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
  }
}
