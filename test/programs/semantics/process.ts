/** Processes: the main-program side of the scenarios test/process.test.ts runs, one exported function each. */
import { Process, Queue, activeChildren, cpuCount, currentProcess, parentProcess } from 'mpflow';
import { caught } from '../scenario-helpers.js';
import { t, pause } from './refs.js';

export async function processLifecycle() {
  const p = new Process({ target: t.nap, args: [200] });
  const before = { alive: p.isAlive(), exitCode: p.exitCode, pid: p.pid ?? null };
  p.start();
  const running = { alive: p.isAlive(), children: activeChildren().length };
  await p.join();
  return { name: p.name, before, running, after: { alive: p.isAlive(), exitCode: p.exitCode, children: activeChildren().length }, hasPid: typeof p.pid === 'number' };
}

export async function processFailureExitCode(): Promise<number | null> {
  const p = new Process({ target: t.fail, args: ['bad'] });
  p.start();
  await p.join();
  return p.exitCode;
}

export async function processStopped(how: 'terminate' | 'kill'): Promise<number | null> {
  const p = new Process({ target: t.nap, args: [60_000] });
  p.start();
  await pause(300);
  p[how]();
  await p.join();
  return p.exitCode;
}

export async function processJoinTimeout(): Promise<boolean> {
  const p = new Process({ target: t.nap, args: [5_000] });
  p.start();
  await p.join(100);
  const stillAlive = p.isAlive();
  p.terminate();
  await p.join();
  return stillAlive;
}

export async function processIdentity() {
  const reports = new Queue<object>();
  const p = new Process({ target: t.reportIdentity, args: [reports], name: 'reporter' });
  p.start();
  await p.join();
  return { main: currentProcess().name, mainParent: parentProcess(), child: await reports.get(), cpus: cpuCount() };
}

export async function processStartTwice(): Promise<string | undefined> {
  const p = new Process({ target: t.nap, args: [10] });
  p.start();
  const error = await caught(async () => p.start());
  await p.join();
  return error;
}
