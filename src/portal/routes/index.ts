/** Every portal route plugin, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { TPortalDeps } from '../deps.js';
import { auditRoutes } from './audit.js';
import { candidateRoutes } from './candidate.js';
import { interviewRoutes } from './interview.js';
import { transcriptRoutes } from './transcript.js';

export async function registerRoutes(app: FastifyInstance, deps: TPortalDeps): Promise<void> {
  // Route plugins are added here as they are written (interview, transcript, metrics...).
  await app.register(async (scope) => interviewRoutes(scope, deps));
  await app.register(async (scope) => transcriptRoutes(scope, deps));
  await app.register(async (scope) => candidateRoutes(scope, deps));
  await app.register(async (scope) => auditRoutes(scope, deps));
}
