/** What every scenario module of the shared-state program shares: the typed task references and running processes to the end. */
import { proxyTasks, type Process } from 'mpflow';
import type * as T from './tasks.js';

export const t = proxyTasks<typeof T>();

export async function runAll(processes: Process[]): Promise<void> {
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
}
