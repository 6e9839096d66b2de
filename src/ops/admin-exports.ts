/**
 * The operator's exports, behind the admin's HTTP Basic auth (ADMIN_USER / ADMIN_PASSWORD; not
 * configured: 404, as if they did not exist):
 * - GET /admin/audit?from=YYYY-MM-DD&to=YYYY-MM-DD — every interview scheduled in those UTC days
 *   (both included), one audit record per line (JSON lines), streamed page by page;
 * - GET /admin/reports/impact?from=…&to=… — the adverse-impact report as JSON.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { isAppError } from '../domain/errors.js';
import { auditsInRange } from '../services/audit/interview-audit.js';
import type { TServiceDeps } from '../services/deps.js';
import { buildImpactReport, parseReportRange } from '../services/reports/impact-report.js';
import { requireAdmin } from './admin-auth.js';

const DAY_MS = 86_400_000;

const RANGE_QUERY = {
  type: 'object',
  properties: { from: { type: 'string', maxLength: 10 }, to: { type: 'string', maxLength: 10 } },
} as const;

export function adminExportsPlugin(
  deps: Pick<TServiceDeps, 'config' | 'prisma' | 'logger' | 'now'>,
): FastifyPluginAsync {
  return async (app) => {
    const admin = deps.config.admin;
    if (!admin) return;
    await app.register(async (scope) => {
      scope.addHook(
        'onRequest',
        requireAdmin(admin, deps.logger, { path: '/admin', realm: 'Panelist admin' }),
      );
      scope.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      });

      scope.get<{ Querystring: { from?: string; to?: string } }>(
        '/admin/audit',
        { schema: { querystring: RANGE_QUERY } },
        async (req, reply) => {
          let range: { from: Date; to: Date };
          try {
            range = parseReportRange(req.query.from, req.query.to, deps.now());
          } catch (err) {
            if (isAppError(err))
              return reply.status(err.status).send({ error: err.code, message: err.publicMessage });
            throw err;
          }
          const audits = auditsInRange(deps, { from: range.from, to: new Date(range.to.getTime() + DAY_MS) });
          async function* lines() {
            for await (const audit of audits) yield `${JSON.stringify(audit)}\n`;
          }
          const stream = Readable.from(lines());
          stream.on('error', (err) =>
            deps.logger.error({ err: { message: err.message } }, 'audit export failed'),
          );
          return reply
            .type('application/x-ndjson; charset=utf-8')
            .header(
              'content-disposition',
              `attachment; filename="panelist-audit-${range.from.toISOString().slice(0, 10)}-${range.to.toISOString().slice(0, 10)}.jsonl"`,
            )
            .send(stream);
        },
      );

      scope.get<{ Querystring: { from?: string; to?: string } }>(
        '/admin/reports/impact',
        { schema: { querystring: RANGE_QUERY } },
        async (req, reply) => {
          try {
            const range = parseReportRange(req.query.from, req.query.to, deps.now());
            return reply.send(await buildImpactReport(deps, range));
          } catch (err) {
            if (isAppError(err) && err.status < 500)
              return reply.status(err.status).send({ error: err.code, message: err.publicMessage });
            throw err;
          }
        },
      );
    });
  };
}
