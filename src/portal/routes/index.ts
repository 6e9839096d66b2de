/** Every portal route plugin, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { TPortalDeps } from '../app.js';

export async function registerRoutes(_app: FastifyInstance, _deps: TPortalDeps): Promise<void> {
  // Route plugins are added here as they are written (interview, transcript, metrics...).
}
