/** Chunks enough for every worker polling the program's task queue to get some: where did they run? */
import { Pool, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const t = proxyTasks<typeof T>();

export async function main(chunks = 12): Promise<string[]> {
  await using pool = new Pool(chunks, { dispatch: 'activity' });
  return pool.starmap(t.whereAmI, Array.from({ length: chunks }, () => []));
}
