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
import { KeyGuard } from '../portal/key-guard.js';
import { isAuthorized, requireAdmin } from './admin-auth.js';

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
    // Wrong passwords are throttled per client address: 10 per 15 minutes, then every request from
    // that address is refused for the rest of the window, the right password too (unlike candidate
    // keys, a password is guessable, so a limited address must not be able to keep trying).
    const guard = new KeyGuard(
      deps.queues.connection,
      deps.queues.prefix,
      deps.logger,
      10,
      'admin-password-miss',
    );
    const limited = (reply: import('fastify').FastifyReply) =>
      reply.status(429).header('retry-after', '900').send({
        error: 'rate_limited',
        message: 'Too many wrong sign-ins from this address. Try again later.',
      });
    await app.register(async (scope) => {
      const challenge = requireAdmin(admin, deps.logger, { path: ADMIN_BASE_PATH, realm: 'Panelist queues' });
      scope.addHook('onRequest', async (req, reply) => {
        if (await guard.isLimited(req.ip)) return limited(reply);
        if (isAuthorized(req.headers.authorization, admin)) return;
        // A browser's first request carries no credentials: only a wrong password counts.
        if (req.headers.authorization && (await guard.miss(req.ip))) return limited(reply);
        return challenge(req, reply);
      });
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
