/**
 * The BullMQ dashboard (bull-board) at /admin/queues, behind HTTP Basic auth with the credentials
 * from ADMIN_USER / ADMIN_PASSWORD. Not configured: the path answers 404, as if it did not exist.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { TConfig } from '../config.js';
import type { Logger } from '../infra/logger.js';
import { JOB_NAMES } from '../infra/queue/catalogue.js';
import type { JobQueues } from '../infra/queue/queues.js';
import { requireAdmin } from './admin-auth.js';

const ADMIN_BASE_PATH = '/admin/queues';

export function adminQueuesPlugin(deps: {
  config: Pick<TConfig, 'admin'>;
  queues: JobQueues;
  logger: Logger;
}): FastifyPluginAsync {
  return async (app) => {
    const admin = deps.config.admin;
    if (!admin) return;
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(ADMIN_BASE_PATH);
    createBullBoard({
      queues: JOB_NAMES.map((name) => new BullMQAdapter(deps.queues.queue(name))),
      // @bull-board/fastify pins its own copy of @bull-board/api; the two are the same shape.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Panelist queues' } },
    });
    await app.register(async (scope) => {
      scope.addHook(
        'onRequest',
        requireAdmin(admin, deps.logger, { path: ADMIN_BASE_PATH, realm: 'Panelist queues' }),
      );
      scope.addHook('onSend', async (_req, reply) => {
        // bull-board's UI sets inline styles; the portal's CSP forbids them everywhere else.
        reply.header(
          'content-security-policy',
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
        );
        reply.header('cache-control', 'no-store');
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_BASE_PATH });
    });
  };
}
