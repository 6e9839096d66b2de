/**
 * Prometheus metrics. One registry per process, passed in deps; code records
 * through the typed helpers so names stay consistent.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type TMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'panelist_process_' });
  return {
    registry,
    slackAck: new Histogram({
      name: 'panelist_slack_ack_seconds',
      help: 'Time from a Slack request arriving to its HTTP acknowledgement',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'panelist_job_duration_seconds',
      help: 'Job handler durations',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'panelist_job_failures_total',
      help: 'Failed job attempts (final: no retry left)',
      labelNames: ['queue', 'final'],
      registers: [registry],
    }),
    turnLatency: new Histogram({
      name: 'panelist_turn_latency_seconds',
      help: 'End of a candidate answer to the first audio of the next question',
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'panelist_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    interviewsByState: new Gauge({
      name: 'panelist_interviews',
      help: 'Interviews per status',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}
