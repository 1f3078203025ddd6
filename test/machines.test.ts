import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { resolveEndpoints } from '../infra/dev-stack.js';
import { readConfig, type Endpoints } from '../workers/config.js';

const CLI = resolve('cli/bin.js');
/** The program's name, and so its task queue: the same in every copy, and this file's own. */
const NAME = `machines-${process.pid}`;
const CHUNKS = 12;

/** A user's project somewhere else: the program `NAME` in it, mpflow installed beside it. */
function copyOfTheProject(root: string): string {
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(resolve('.'), join(root, 'node_modules', 'mpflow'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'their-project', type: 'module', private: true }));
  cpSync('test/programs/machines', join(root, NAME), { recursive: true });
  return join(root, NAME);
}

describe('workers on many machines serve one program by its name', { timeout: 300_000 }, () => {
  let endpoints: Endpoints;
  const root = mkdtempSync(join(tmpdir(), 'mpflow-machines-'));
  const machines = ['a', 'b', 'c'].map((name) => ({ name, stateDir: join(root, name, '.mpflow'), program: copyOfTheProject(join(root, name)) }));
  const workers: ChildProcess[] = [];

  /** What a machine's environment says: the shared Temporal and Redis, its own state directory. */
  const envOf = (machine: (typeof machines)[number]) => ({
    ...process.env,
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    MPFLOW_REDIS_URL: endpoints.redisUrl,
    MPFLOW_STATE_DIR: machine.stateDir,
    MPFLOW_TASK_QUEUE: '',
  });

  before(async () => {
    endpoints = await resolveEndpoints(readConfig(), { temporal: true });
  });

  after(() => {
    for (const worker of workers) worker.kill('SIGKILL');
  });

  /** `mpflow worker` started on a machine from its copy; resolves once it polls. */
  async function startWorker(machine: (typeof machines)[number]): Promise<string> {
    const worker = spawn(process.execPath, [CLI, 'worker', machine.program], { cwd: join(root, machine.name), env: envOf(machine), stdio: ['ignore', 'ignore', 'pipe'] });
    workers.push(worker);
    let said = '';
    return new Promise((resolve, reject) => {
      worker.stderr!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        const polling = /on task queue (\S+)/.exec(said);
        if (polling) resolve(polling[1]);
      });
      worker.once('exit', (code) => reject(new Error(`the worker of machine ${machine.name} exited (${code}): ${said}`)));
    });
  }

  it('a run started with --no-worker from a third copy finishes on the workers of two others at other paths, and each ran some of its chunks', async (t) => {
    const [a, b, c] = machines;
    const queues = await Promise.all([startWorker(a), startWorker(b)]);
    assert.deepEqual(queues, [`mpflow-${NAME}`, `mpflow-${NAME}`], 'both copies serve the task queue named after the program');
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'run', c.program, '--no-worker', '--json', '--', String(CHUNKS)], { cwd: join(root, c.name), env: envOf(c), timeout: 180_000 });
    const ranOn = JSON.parse(stdout).result as string[];
    const chunksOf = (machine: (typeof machines)[number]) => ranOn.filter((where) => where === machine.stateDir).length;
    t.diagnostic(`chunks run by machine a: ${chunksOf(a)}, by machine b: ${chunksOf(b)}`);
    assert.equal(ranOn.length, CHUNKS);
    assert.equal(chunksOf(a) + chunksOf(b), CHUNKS, `every chunk ran on machine a or b: ${ranOn.join(', ')}`);
    assert.ok(chunksOf(a) > 0 && chunksOf(b) > 0, 'each machine ran some of the chunks');
  });
});
