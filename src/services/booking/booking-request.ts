/**
 * A submitted schedule or reschedule form, stored before its booking job is queued. The job carries
 * only the request's id and attempt; this row holds the candidate's details, where deletion and
 * retention reach them.
 *
 * Refusal is final. The bot answers Slack within 2.5 s even when Redis stalls: if the job could not
 * be queued in time it marks the attempt `refused` and tells the recruiter to submit again. An add
 * that timed out on the client may still reach Redis when it resumes, so the booking job *takes* its
 * attempt (`pending → taken`, one conditional update) before it books, and a refused or superseded
 * attempt is never booked. The two updates are on the same row: PostgreSQL orders them, and exactly
 * one of them wins.
 */
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';

export type TBookingRequest = {
  id: string;
  slotId: string;
  roleId: string;
  candidate: { name: string; email: string; timeZone: string };
  notes: string;
  recruiter: {
    userId: string;
    teamId?: string | undefined;
    email?: string | undefined;
    timeZone?: string | undefined;
  };
  channelId: string;
  reschedule?: { interviewId: string; fromRevision: number } | undefined;
};

const COLUMNS = Prisma.raw(
  `"id", "attempt", "status"::text AS "status", "slotId"::text AS "slotId", "roleId"::text AS "roleId",
   "candidateName", "candidateEmail", "candidateTimeZone", "notes", "recruiterSlackUser", "recruiterEmail",
   "recruiterTimeZone", "slackTeamId", "slackChannelId",
   "rescheduleInterviewId"::text AS "rescheduleInterviewId", "rescheduleFromRevision"`,
);

/** What the bot does with a submission once it is stored. */
export type TStoredRequest =
  /** Queue this attempt (a new form, a resubmission after a refusal, or one not yet taken). */
  | { state: 'queue'; attempt: number }
  /** A booking job already took this form: it is being decided, or decided. */
  | { state: 'taken'; attempt: number };

type TRow = {
  id: string;
  attempt: number;
  status: 'pending' | 'taken' | 'refused';
  slotId: string;
  roleId: string;
  candidateName: string;
  candidateEmail: string;
  candidateTimeZone: string;
  notes: string;
  recruiterSlackUser: string;
  recruiterEmail: string | null;
  recruiterTimeZone: string | null;
  slackTeamId: string | null;
  slackChannelId: string;
  rescheduleInterviewId: string | null;
  rescheduleFromRevision: number | null;
};

/**
 * Stores the submission, or finds the same form submitted before. A form refused before gets a new
 * attempt (its old job, should it ever run, finds itself superseded).
 */
export async function storeBookingRequest(prisma: PrismaClient, r: TBookingRequest): Promise<TStoredRequest> {
  const rows = await prisma.$queryRaw<Array<{ attempt: number; status: TRow['status'] }>>`
    INSERT INTO "BookingRequest" ("id", "slotId", "roleId", "candidateName", "candidateEmail",
      "candidateTimeZone", "notes", "recruiterSlackUser", "recruiterEmail", "recruiterTimeZone",
      "slackTeamId", "slackChannelId", "rescheduleInterviewId", "rescheduleFromRevision", "updatedAt")
    VALUES (${r.id}, ${r.slotId}::uuid, ${r.roleId}::uuid, ${r.candidate.name}, ${r.candidate.email},
      ${r.candidate.timeZone}, ${r.notes}, ${r.recruiter.userId}, ${r.recruiter.email ?? null},
      ${r.recruiter.timeZone ?? null}, ${r.recruiter.teamId ?? null}, ${r.channelId},
      ${r.reschedule?.interviewId ?? null}::uuid, ${r.reschedule?.fromRevision ?? null}::int, now())
    ON CONFLICT ("id") DO UPDATE
      SET "attempt" = "BookingRequest"."attempt" + 1, "status" = 'pending', "updatedAt" = now()
      WHERE "BookingRequest"."status" = 'refused'
    RETURNING "attempt", "status"::text AS "status"`;
  const stored =
    rows[0] ??
    (
      await prisma.$queryRaw<Array<{ attempt: number; status: TRow['status'] }>>`
        SELECT "attempt", "status"::text AS "status" FROM "BookingRequest" WHERE "id" = ${r.id}`
    )[0];
  if (!stored) throw new Error('the booking request vanished while it was stored');
  return stored.status === 'taken'
    ? { state: 'taken', attempt: stored.attempt }
    : { state: 'queue', attempt: stored.attempt };
}

/**
 * Marks an attempt refused because its job could not be queued in time. Returns false when the
 * booking job took it first (the add did reach Redis): then it is accepted after all.
 */
export async function refuseBookingRequest(
  prisma: PrismaClient,
  id: string,
  attempt: number,
): Promise<boolean> {
  const n = await prisma.$executeRaw`
    UPDATE "BookingRequest" SET "status" = 'refused', "updatedAt" = now()
    WHERE "id" = ${id} AND "attempt" = ${attempt} AND "status" = 'pending'`;
  return n > 0;
}

/**
 * The booking job's claim on its attempt: the request to book, or null when this attempt was
 * refused or superseded by a later submission (or the request was deleted). A rerun of the job that
 * took it gets the request again.
 */
export async function takeBookingRequest(
  prisma: PrismaClient,
  id: string,
  attempt: number,
): Promise<TBookingRequest | null> {
  const rows = await prisma.$queryRaw<TRow[]>`
    WITH took AS (
      UPDATE "BookingRequest" SET "status" = 'taken', "updatedAt" = now()
      WHERE "id" = ${id} AND "attempt" = ${attempt} AND "status" = 'pending'
      RETURNING *
    )
    SELECT ${COLUMNS} FROM took
    UNION ALL
    SELECT ${COLUMNS} FROM "BookingRequest"
    WHERE "id" = ${id} AND "attempt" = ${attempt} AND "status" = 'taken'`;
  const row = rows[0];
  return row ? toRequest(row) : null;
}

/** The stored request (for the notify job), whatever its state. */
export async function loadBookingRequest(prisma: PrismaClient, id: string): Promise<TBookingRequest | null> {
  const rows = await prisma.$queryRaw<TRow[]>`
    SELECT ${COLUMNS} FROM "BookingRequest" WHERE "id" = ${id}`;
  const row = rows[0];
  return row ? toRequest(row) : null;
}

function toRequest(row: TRow): TBookingRequest {
  return {
    id: row.id,
    slotId: row.slotId,
    roleId: row.roleId,
    candidate: { name: row.candidateName, email: row.candidateEmail, timeZone: row.candidateTimeZone },
    notes: row.notes,
    recruiter: {
      userId: row.recruiterSlackUser,
      ...(row.slackTeamId ? { teamId: row.slackTeamId } : {}),
      ...(row.recruiterEmail ? { email: row.recruiterEmail } : {}),
      ...(row.recruiterTimeZone ? { timeZone: row.recruiterTimeZone } : {}),
    },
    channelId: row.slackChannelId,
    ...(row.rescheduleInterviewId && row.rescheduleFromRevision
      ? { reschedule: { interviewId: row.rescheduleInterviewId, fromRevision: row.rescheduleFromRevision } }
      : {}),
  };
}
