/**
 * The daily retention run (the `retention` task of the maintenance queue, services/retention.ts).
 * An upsert by scheduler id: every worker process may call it at start-up, one schedule results.
 */
import type { JobQueues } from '../infra/queue/queues.js';

export async function scheduleRetention(queues: JobQueues): Promise<void> {
  // 03:17 UTC: off the hour, away from other nightly jobs.
  await queues
    .queue('maintenance')
    .upsertJobScheduler(
      'retention',
      { pattern: '17 3 * * *', tz: 'UTC' },
      { name: 'maintenance', data: { task: 'retention' } },
    );
  // Candidates' deletion requests are due by the day: an hourly run carries each out that day.
  await queues
    .queue('maintenance')
    .upsertJobScheduler(
      'deletion-requests',
      { pattern: '23 * * * *', tz: 'UTC' },
      { name: 'maintenance', data: { task: 'deletion_requests' } },
    );
}
