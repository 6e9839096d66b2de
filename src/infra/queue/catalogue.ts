/**
 * The job catalogue: for each queue its payload schema, attempts and backoff.
 * Workers parse payloads with these schemas before a handler runs; producers
 * validate before enqueueing, so a bad payload fails where it is made.
 */
import { z } from 'zod';

const ZId = z.uuid();

export const ZBookingJob = z.object({
  /** Derived from the Slack submission; the same submission books once. */
  bookingRequestId: z.string().min(8).max(128),
  slotId: ZId,
  roleId: ZId,
  candidate: z.object({
    name: z.string().min(1).max(200),
    email: z.string().min(3).max(254),
    timeZone: z.string(),
  }),
  notes: z.string().max(3000).default(''),
  recruiter: z.object({
    userId: z.string().min(1),
    teamId: z.string().optional(),
    email: z.string().optional(),
    timeZone: z.string().optional(),
  }),
  /** Where the command came from: a channel id, or the recruiter's DM. */
  channelId: z.string().min(1),
  /**
   * The candidate's portal key, made when the recruiter submitted, so that a rerun
   * of this job (after a crash) emails the same link the first run stored the hash of.
   */
  sessionKey: z.string().min(43).max(64),
  /** Set when this booking moves an existing interview (reschedule) from this revision. */
  reschedule: z.object({ interviewId: ZId, fromRevision: z.number().int().min(1) }).optional(),
});
export type TBookingJob = z.infer<typeof ZBookingJob>;

/** How a booking job ended: what the follow-on (notify) job tells the recruiter about. */
export const ZBookingOutcome = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('booked'), interviewId: ZId, revision: z.number().int().min(1) }),
  /** The interview for this request existed already (a rerun): confirmed like a booking, once. */
  z.object({ outcome: z.literal('duplicate'), interviewId: ZId, revision: z.number().int().min(1) }),
  z.object({ outcome: z.literal('unavailable'), reason: z.enum(['full', 'past', 'closed', 'gone']) }),
  z.object({
    outcome: z.literal('stale'),
    reason: z.enum(['not_reschedulable', 'revision_changed', 'not_found']),
  }),
]);
export type TBookingOutcome = z.infer<typeof ZBookingOutcome>;

/**
 * The Slack side of a decided booking (scheduling message, private link or "slot
 * unavailable" note) and the email + prepare jobs, out of the seat-taking job so that
 * a slow or failing Slack never holds a booking decision up.
 */
export const ZNotifyJob = z.object({ request: ZBookingJob, result: ZBookingOutcome });
export type TNotifyJob = z.infer<typeof ZNotifyJob>;

export const EMAIL_KINDS = ['invite', 'update', 'cancel', 'reminder_24h', 'reminder_1h'] as const;
export const ZEmailJob = z.object({
  interviewId: ZId,
  kind: z.enum(EMAIL_KINDS),
  /** The interview revision this email is about; a stale one is skipped. */
  revision: z.number().int().min(1),
  /**
   * The candidate's portal key. Only its hash is in the database, so the key
   * travels to the mailer in the job (Redis) and nowhere else.
   */
  sessionKey: z.string().optional(),
});
export type TEmailJob = z.infer<typeof ZEmailJob>;

export const ZPrepareJob = z.object({ interviewId: ZId, revision: z.number().int().min(1) });
export type TPrepareJob = z.infer<typeof ZPrepareJob>;

export const ZEvaluationJob = z.object({
  interviewId: ZId,
  version: z.number().int().min(1),
  /** completed: first evaluation; reevaluate: asked for from Slack; no_show: window closed unstarted. */
  reason: z.enum(['completed', 'reevaluate', 'no_show']),
  requestedBy: z.string().optional(),
});
export type TEvaluationJob = z.infer<typeof ZEvaluationJob>;

export const ZMaintenanceJob = z.object({
  task: z.enum(['retention', 'expire_no_shows', 'deletion_requests', 'slack_redaction']),
});
export type TMaintenanceJob = z.infer<typeof ZMaintenanceJob>;

/** A candidate's request (services/candidate/requests.ts) to post into the recruiter's thread. */
export const ZCandidateRequestJob = z.object({ requestId: ZId });
export type TCandidateRequestJob = z.infer<typeof ZCandidateRequestJob>;

type TBackoff = { type: 'exponential' | 'fixed'; delay: number };

function job<S extends z.ZodType>(payload: S, attempts: number, backoff: TBackoff) {
  return { payload, attempts, backoff };
}

export const JOBS = {
  // 1+2+4+…+64 s: a booking outlasts a database or Slack outage of two minutes (fault suite).
  booking: job(ZBookingJob, 8, { type: 'exponential', delay: 1000 }),
  // The same budget for telling Slack: a two-minute Slack outage delays the confirmation, never loses it.
  notify: job(ZNotifyJob, 8, { type: 'exponential', delay: 1000 }),
  email: job(ZEmailJob, 6, { type: 'exponential', delay: 2000 }),
  prepare: job(ZPrepareJob, 4, { type: 'exponential', delay: 2000 }),
  evaluation: job(ZEvaluationJob, 5, { type: 'exponential', delay: 3000 }),
  maintenance: job(ZMaintenanceJob, 3, { type: 'exponential', delay: 10_000 }),
  // Like notify: a Slack outage of two minutes delays the post, never loses it.
  candidate_request: job(ZCandidateRequestJob, 8, { type: 'exponential', delay: 1000 }),
} as const;

export type TJobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as TJobName[];
export type TJobPayload<N extends TJobName> = z.input<(typeof JOBS)[N]['payload']>;
export type TJobData<N extends TJobName> = z.output<(typeof JOBS)[N]['payload']>;

/** BullMQ job ids must not contain ':' nor look like integers. */
export function jobId(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replace(/:/g, '_')).join('-');
}
