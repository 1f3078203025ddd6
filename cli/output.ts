/** What the CLI prints: JSON that survives BigInt, Map, Set and typed arrays, and progress lines. */
import type { JobProgress } from '../mp-shim/transport.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    return v;
  });
}

const BAR_WIDTH = 30;

export function progressLine({ job, task, chunks, done, failed }: JobProgress): string {
  const filled = chunks === 0 ? BAR_WIDTH : Math.round((done / chunks) * BAR_WIDTH);
  return `${task} (job ${job}) [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${chunks} chunks${failed ? `, ${failed} failed` : ''}`;
}
