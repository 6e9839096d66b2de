/**
 * email: invites, updates, cancellations and reminders (services/email/send-email.ts holds the
 * exactly-once protocol). The payload names the email; the portal link comes from the key stored
 * encrypted on the interview, never from the queue.
 */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const EMAIL_KINDS = ['invite', 'update', 'cancel', 'reminder_24h', 'reminder_1h'] as const;
export type TEmailKind = (typeof EMAIL_KINDS)[number];

export const ZEmailJob = z.object({
  interviewId: z.uuid(),
  kind: z.enum(EMAIL_KINDS),
  /** The interview revision this email is about; a stale one is skipped. */
  revision: z.number().int().min(1),
});
export type TEmailJob = z.infer<typeof ZEmailJob>;

export const emailJob = defineJob({
  name: 'email',
  payload: ZEmailJob,
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000 },
});

/** `email-<interviewId>-<kind>-r<revision>`: the Retry email button finds the job by it. */
export function emailJobId(job: TEmailJob): string {
  return jobId('email', job.interviewId, job.kind, `r${job.revision}`);
}

/** Queues the email; `delay` (ms) for reminders. A job with the same id that still exists is kept. */
export function enqueueEmail(
  queues: TJobSink<'email', TEmailJob>,
  job: TEmailJob,
  opts: { delay?: number } = {},
) {
  return queues.enqueue('email', job, {
    jobId: emailJobId(job),
    ...(opts.delay !== undefined ? { delay: opts.delay } : {}),
  });
}
