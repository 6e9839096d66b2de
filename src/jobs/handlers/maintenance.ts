/**
 * `maintenance` jobs, one task each, each a service: `expire_no_shows` (every minute,
 * services/lifecycle/expire-no-shows.ts), retention, deletion requests, Slack redaction.
 */
import { scheduleMaintenanceTask } from '../../infra/queue/jobs/maintenance.js';
import type { JobQueues } from '../../infra/queue/queues.js';
import { runDueDeletions } from '../../services/candidate/deletion.js';
import { redactSlackMessages } from '../../services/candidate/slack-redaction.js';
import type { TServiceDeps } from '../../services/deps.js';
import { expireNoShows } from '../../services/lifecycle/expire-no-shows.js';
import { applyRetention } from '../../services/retention.js';
import type { TJobHandler } from '../worker.js';

/** Registers the repeating maintenance jobs (idempotent: upsert by scheduler id). */
export async function scheduleMaintenance(queues: JobQueues): Promise<void> {
  await scheduleMaintenanceTask(queues, 'expire_no_shows', { every: 60_000 });
}

export function maintenanceHandler(deps: TServiceDeps): TJobHandler<'maintenance'> {
  return async (payload, ctx) => {
    switch (payload.task) {
      case 'expire_no_shows': {
        const result = await expireNoShows(deps);
        if (result.expired + result.completed + result.requeued > 0)
          ctx.logger.info(result, 'closed interviews');
        return result;
      }
      case 'retention': {
        // Transcripts, quotes and personal data older than RETENTION_DAYS (services/retention.ts).
        const result = await applyRetention(deps);
        if (result.interviews + result.candidates > 0) ctx.logger.info(result, 'retention: data deleted');
        return { ...result, slack: await redactSlackMessages(deps) };
      }
      case 'deletion_requests': {
        // Candidates' deletion requests whose day has come (services/candidate/deletion.ts).
        const result = await runDueDeletions(deps);
        if (result.carriedOut > 0) ctx.logger.info(result, 'deletion requests carried out');
        return { ...result, slack: await redactSlackMessages(deps) };
      }
      case 'slack_redaction': {
        const result = await redactSlackMessages(deps);
        if (result.interviews > 0) ctx.logger.info(result, 'Slack messages of deleted interviews redacted');
        return result;
      }
    }
  };
}
