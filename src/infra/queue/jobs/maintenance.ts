/**
 * maintenance: repeating tasks (no-show expiry every minute, retention daily). They are scheduled
 * with upsertJobScheduler under a fixed scheduler id per task, so every worker may (re)schedule them.
 */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZMaintenanceJob = z.object({
  task: z.enum(['retention', 'expire_no_shows', 'deletion_requests', 'slack_redaction']),
});
export type TMaintenanceJob = z.infer<typeof ZMaintenanceJob>;
export type TMaintenanceTask = TMaintenanceJob['task'];

export const maintenanceJob = defineJob({
  name: 'maintenance',
  payload: ZMaintenanceJob,
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
});

/** The scheduler id of each task: one repeating job per task, whoever schedules it. */
const SCHEDULER_IDS: Record<TMaintenanceTask, string> = {
  expire_no_shows: 'expire-no-shows',
  retention: 'retention',
  deletion_requests: 'deletion-requests',
  slack_redaction: 'slack-redaction',
};

/** Registers (or updates) the repeating job of `task`. Idempotent. */
export async function scheduleMaintenanceTask(
  queues: TJobSink<'maintenance', TMaintenanceJob>,
  task: TMaintenanceTask,
  repeat: { every: number } | { pattern: string; tz?: string },
): Promise<void> {
  await queues
    .queue('maintenance')
    .upsertJobScheduler(SCHEDULER_IDS[task], repeat, { name: 'maintenance', data: { task } });
}

/**
 * Runs `task` once now, e.g. the Slack redaction right after a deletion. `key` names the occasion
 * (a candidate id): the same occasion queues it once.
 */
export function enqueueMaintenanceTask(
  queues: TJobSink<'maintenance', TMaintenanceJob>,
  task: TMaintenanceTask,
  key: string,
) {
  return queues.enqueue('maintenance', { task }, { jobId: jobId(SCHEDULER_IDS[task], key) });
}
