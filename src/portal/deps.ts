/** What the portal's app, routes and socket get from the entry point. */
import type { TServiceDeps } from '../services/deps.js';

export type TPortalDeps = TServiceDeps & {
  /** Checks for /readyz, each resolving or throwing with what is wrong. */
  readiness?: Record<string, () => Promise<void>>;
};
