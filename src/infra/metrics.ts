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
    voiceTurnStage: new Histogram({
      name: 'panelist_voice_turn_stage_seconds',
      help: 'A voice turn, from the end of the answer (turn decided) to each step: transcript_ready, decision_ready, first_audio_sent, first_audio_played; and end_of_speech (end of speech to turn decided)',
      labelNames: ['stage'],
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      registers: [registry],
    }),
    voiceTranscriptions: new Counter({
      name: 'panelist_voice_transcriptions_total',
      help: 'Transcriptions of answer pieces by outcome (done, retried, pending)',
      labelNames: ['outcome'],
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
