/** What every scenario module of the semantics program shares: the typed task references and a pause. */
import { proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

export const t = proxyTasks<typeof T>();
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
