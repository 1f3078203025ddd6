/** Where mpflow finds its servers: the environment, or the embedded dev stack. */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseStorageUrl } from '../storage/index.js';

export interface Endpoints {
  temporalAddress: string;
  temporalNamespace: string;
  redisUrl: string;
  /** The Web UI, when known (the embedded dev server's). */
  webUiUrl?: string;
}

export const stateDir = (): string => resolve(process.env.MPFLOW_STATE_DIR ?? '.mpflow');

/** Servers configured by the user; undefined fields are filled by the dev stack. */
export function configuredEndpoints(): Partial<Endpoints> {
  return {
    temporalAddress: process.env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: process.env.TEMPORAL_NAMESPACE || 'default',
    redisUrl: process.env.MPFLOW_REDIS_URL || undefined,
    webUiUrl: process.env.MPFLOW_WEB_UI_URL || undefined,
  };
}

/**
 * The run's storage for mpflow/fs: `--storage`, else MPFLOW_STORAGE, else `files/` under the
 * state dir. A plain directory path is taken as a file:// URL.
 */
export function storageUrl(chosen = process.env.MPFLOW_STORAGE): string {
  if (!chosen) return pathToFileURL(join(stateDir(), 'files')).href;
  const url = /^[a-z][a-z0-9+.-]*:/i.test(chosen) ? chosen : pathToFileURL(resolve(chosen)).href;
  parseStorageUrl(url);
  return url;
}
