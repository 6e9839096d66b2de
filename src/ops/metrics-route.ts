/** GET /metrics in Prometheus format: process, Slack acks, jobs, queues, interviews. */
import type { FastifyPluginAsync } from 'fastify';
import { JOB_NAMES } from '../infra/queue/catalogue.js';
import type { TServiceDeps } from '../services/deps.js';
import { countInterviewsByStatus } from '../services/lifecycle/interviews-by-status.js';

export function metricsRoute(deps: Pick<TServiceDeps, 'metrics' | 'queues' | 'prisma'>): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_req, reply) => {
      // Gauges read at scrape time, so every process reports the shared truth.
      await Promise.all([
        ...JOB_NAMES.map(async (name) => {
          const counts = await deps.queues
            .queue(name)
            .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')
            .catch(() => undefined);
          for (const [state, n] of Object.entries(counts ?? {}))
            deps.metrics.queueDepth.set({ queue: name, state }, n);
        }),
        countInterviewsByStatus(deps)
          .then((rows) => {
            deps.metrics.interviewsByState.reset();
            for (const r of rows) deps.metrics.interviewsByState.set({ status: r.status }, r.count);
          })
          .catch(() => undefined),
      ]);
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
