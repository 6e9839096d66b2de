/**
 * Builds the portal's Fastify instance (not listening): candidate pages, the
 * interview WebSocket, the transcript page, health and metrics. Other HTTP
 * surfaces (the Slack endpoint, the local Slack stand-in) are mounted by the
 * entry point through `mounts`, so the portal never imports the bot.
 */
import helmet from '@fastify/helmet';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  LogController,
} from 'fastify';
import { isAppError } from '../domain/errors.js';
import { loggableMessage, scrubLogText } from '../infra/logger.js';
import type { TPortalDeps } from './deps.js';
import { registerRoutes } from './routes/index.js';

// Until every branch imports it from ./deps.js (then this line goes).

export type TPortalOptions = {
  mounts?: Array<{ plugin: FastifyPluginAsync; prefix?: string }>;
};

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes a function: this Fastify trusts nothing for
 * a bare number (it cannot check the nearest peer), so "trust the nearest n hops" is spelled out;
 * with a hop count the portal must be reachable only through its proxy (docs/deploy.md).
 */
function trustProxyOption(
  trust: false | number | string[],
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return trust;
}

export async function buildPortal(deps: TPortalDeps, options: TPortalOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger.child({ component: 'portal' }) as FastifyBaseLogger,
    // Fastify's own request logs would print URLs with session keys; onResponse below logs scrubbed ones.
    logController: new LogController({ disableRequestLogging: true }),
    // Only the configured proxies' X-Forwarded-For is believed (TRUST_PROXY, docs/deploy.md): with
    // `true`, anyone could choose the address the wrong-key limiter counts.
    trustProxy: trustProxyOption(deps.config.trustProxy),
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
  });

  app.addHook('onResponse', async (req, reply) => {
    // The URL may carry a session key: never log it.
    req.log.info(
      {
        url: scrubLogText(req.url),
        method: req.method,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The portal uses the camera and microphone of its own origin only.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('permissions-policy', 'camera=(self), microphone=(self), geolocation=()');
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (isAppError(err)) {
      if (err.status >= 500) req.log.error({ code: err.code, details: err.details }, err.message);
      return reply.status(err.status).send({ error: err.code, message: err.publicMessage });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) req.log.error({ err: { message: loggableMessage(err) } }, 'request failed');
    return reply.status(status).send({
      error: status === 413 ? 'payload_too_large' : 'error',
      message: status >= 500 ? 'Something went wrong on our side.' : err.message,
    });
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      Object.entries(deps.readiness ?? {}).map(async ([name, check]) => {
        try {
          await check();
          checks[name] = 'ok';
        } catch (err) {
          ok = false;
          checks[name] = scrubLogText((err as Error).message);
        }
      }),
    );
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });

  await registerRoutes(app, deps);
  for (const mount of options.mounts ?? []) {
    await app.register(mount.plugin, mount.prefix ? { prefix: mount.prefix } : {});
  }
  return app;
}
