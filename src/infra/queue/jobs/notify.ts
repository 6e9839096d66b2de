/**
 * notify: the Slack side of a decided booking (scheduling message, private link or "slot
 * unavailable" note) and the email + prepare jobs, out of the seat-taking job so that a slow or
 * failing Slack never holds a booking decision up. Ids only: the request is loaded from PostgreSQL.
 */
import { z } from 'zod';
import { type TBookingOutcome, ZBookingOutcome } from './booking.js';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZNotifyJob = z.object({
  bookingRequestId: z.string().min(8).max(128),
  result: ZBookingOutcome,
});
export type TNotifyJob = z.infer<typeof ZNotifyJob>;

// The same budget as booking: a two-minute Slack outage delays the confirmation, never loses it.
export const notifyJob = defineJob({
  name: 'notify',
  payload: ZNotifyJob,
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
});

/**
 * A booking is told about once per interview revision (a rerun that finds the interview booked
 * queues the same id); a refusal once per request and outcome (should a rerun find a seat freed
 * meanwhile, the booking is told too).
 */
export function notifyJobId(bookingRequestId: string, result: TBookingOutcome): string {
  return result.outcome === 'booked' || result.outcome === 'duplicate'
    ? jobId('notify', result.interviewId, `r${result.revision}`)
    : jobId('notify', bookingRequestId, result.outcome);
}

export function enqueueNotify(queues: TJobSink<'notify', TNotifyJob>, job: TNotifyJob) {
  return queues.enqueue('notify', job, { jobId: notifyJobId(job.bookingRequestId, job.result) });
}
