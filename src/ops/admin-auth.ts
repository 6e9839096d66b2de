/**
 * HTTP Basic auth for the operator's admin surfaces (/admin/queues, /admin/audit,
 * /admin/reports/impact), with the credentials from ADMIN_USER / ADMIN_PASSWORD.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../infra/logger.js';

/** Compares digests, so neither the length nor the content of a guess leaks through timing. */
function isSame(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** `Authorization: Basic …` → whether it names the configured user and password. */
export function isAuthorized(header: string | undefined, admin: { user: string; password: string }): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared every time: no early exit that tells a right user from a wrong one.
  const isUser = isSame(decoded.slice(0, colon), admin.user);
  const isPassword = isSame(decoded.slice(colon + 1), admin.password);
  return isUser && isPassword;
}

/** An onRequest hook that answers 401 (with a Basic challenge) unless the admin credentials are given. */
export function requireAdmin(
  admin: { user: string; password: string },
  logger: Logger,
  area: { path: string; realm: string },
) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (isAuthorized(req.headers.authorization, admin)) return;
    logger.warn({ url: area.path, ip: req.ip }, `refused ${area.path} without valid credentials`);
    return reply
      .status(401)
      .header('www-authenticate', `Basic realm="${area.realm}", charset="UTF-8"`)
      .send({ error: 'unauthorized', message: 'Sign in with ADMIN_USER and ADMIN_PASSWORD.' });
  };
}
