/**
 * booking: decides a submitted schedule or reschedule form (takes the seat or learns why not) and
 * queues the notify job. The payload is the stored request's id and the submission attempt: the
 * candidate's details stay in PostgreSQL (BookingRequest).
 */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZBookingJob = z.object({
  /** Derived from the Slack submission; the same submission books once. */
  bookingRequestId: z.string().min(8).max(128),
  /**
   * Which submission of the form this job is for. A submission the recruiter was told was refused
   * is never booked, even if its job reaches Redis after all (a timed-out add that Redis ran late).
   */
  attempt: z.number().int().min(1),
});
export type TBookingJob = z.infer<typeof ZBookingJob>;

/** How a booking job ended: what the follow-on (notify) job tells the recruiter about. */
export const ZBookingOutcome = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('booked'), interviewId: z.uuid(), revision: z.number().int().min(1) }),
  /** The interview for this request existed already (a rerun): confirmed like a booking, once. */
  z.object({ outcome: z.literal('duplicate'), interviewId: z.uuid(), revision: z.number().int().min(1) }),
  z.object({ outcome: z.literal('unavailable'), reason: z.enum(['full', 'past', 'closed', 'gone']) }),
  z.object({
    outcome: z.literal('stale'),
    reason: z.enum(['not_reschedulable', 'revision_changed', 'not_found']),
  }),
]);
export type TBookingOutcome = z.infer<typeof ZBookingOutcome>;

// 1+2+4+…+64 s: a booking outlasts a database or Slack outage of two minutes (fault suite).
export const bookingJob = defineJob({
  name: 'booking',
  payload: ZBookingJob,
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
});

export function bookingJobId(job: TBookingJob): string {
  return jobId('booking', job.bookingRequestId, `a${job.attempt}`);
}

/**
 * Queues the booking job. `batched`: adds from the same turn of the event loop share one Redis
 * round trip (a burst of Slack submissions); the caller bounds the wait either way.
 */
export function enqueueBooking(
  queues: TJobSink<'booking', TBookingJob>,
  job: TBookingJob,
  opts: { batched?: boolean } = {},
) {
  const id = bookingJobId(job);
  return opts.batched
    ? queues.enqueueBatched('booking', job, { jobId: id })
    : queues.enqueue('booking', job, { jobId: id });
}
