/** Where mpflow finds its servers: the environment, or the embedded dev stack. */
import { resolve } from 'node:path';

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
