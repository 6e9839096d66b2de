/**
 * Taking a seat. One transaction: a conditional UPDATE takes a seat only while one
 * is left (PostgreSQL re-checks the condition after waiting for a concurrent
 * writer's row lock, and a CHECK constraint backs it up), then the interview is
 * created. Nothing overbooks, whatever the concurrency or the number of processes.
 */
import { randomUUID } from 'node:crypto';
import { bookability } from '../../domain/seats.js';
import { generateSessionKey, hashSessionKey } from '../../domain/session-key.js';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { TBookingOutcome } from '../../infra/queue/jobs/booking.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { sealForInterview } from '../interview/candidate-link.js';
import type { TBookingRequest } from './booking-request.js';

/** How a booking ended; the catalogue's schema, since the notify job carries it. */
export type TBookOutcome = TBookingOutcome;

type TTx = Prisma.TransactionClient;

/** Takes one seat if the slot is open, in the future and not full; returns the slot or null. */
async function takeSeat(tx: TTx, slotId: string, now: Date) {
  const rows = await tx.$queryRaw<Array<{ startsAt: Date; durationMinutes: number }>>`
    UPDATE "Slot" SET "seatsTaken" = "seatsTaken" + 1
    WHERE id = ${slotId}::uuid AND "seatsTaken" < capacity AND "closedAt" IS NULL AND "startsAt" > ${now}
    RETURNING "startsAt", "durationMinutes"`;
  return rows[0] ?? null;
}

/** Gives a seat back (never below zero). */
export async function releaseSeat(tx: TTx, slotId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "Slot" SET "seatsTaken" = "seatsTaken" - 1 WHERE id = ${slotId}::uuid AND "seatsTaken" > 0`;
}

async function whyUnavailable(db: PrismaClient, slotId: string, now: Date) {
  const slot = await db.slot.findUnique({ where: { id: slotId } });
  if (!slot) return 'gone' as const;
  const b = bookability(slot, now);
  return b === 'ok' ? ('full' as const) : b;
}

class Rollback extends Error {
  constructor(readonly result: TBookOutcome) {
    super('rollback');
  }
}

type TBookDeps = Pick<TServiceDeps, 'prisma' | 'now' | 'config'>;

/**
 * Books (or reschedules) the stored request. The candidate's new key is made here and stored as
 * its hash (for the portal) and sealed (for the emails): a rerun finds the interview and keeps it.
 */
export async function bookInterview(job: TBookingRequest, deps: TBookDeps): Promise<TBookOutcome> {
  return job.reschedule ? reschedule(job, job.reschedule, deps) : bookNew(job, deps);
}

/** What the booking statement reports; exactly one of the three shapes is filled. */
type TBookRow = {
  bookedId: string | null;
  bookedRevision: number | null;
  existingId: string | null;
  existingRevision: number | null;
  /** The slot as the statement found it (null: no such slot), for the reason a seat was not taken. */
  startsAt: Date | null;
  durationMinutes: number | null;
  capacity: number | null;
  seatsTaken: number | null;
  closedAt: Date | null;
};

/**
 * A new booking is one statement: PostgreSQL runs it atomically, so the seat, the
 * candidate, the interview and its `interview.booked` event are all stored or none is.
 * - The seat is taken only if no interview exists for this bookingRequestId yet (a rerun
 *   of the job reports the first run's interview as a duplicate).
 * - Two runs of the same request at once both see no interview; the second one's insert
 *   waits for the first and then violates the unique bookingRequestId, which aborts its
 *   whole statement, seat update included: the seat is never taken twice.
 * - The slot as the statement saw it comes back too, so the reason for a refusal needs
 *   no second query (a slot that looked open but was taken meanwhile is `full`).
 */
async function bookNew(job: TBookingRequest, deps: TBookDeps): Promise<TBookOutcome> {
  const { prisma } = deps;
  const now = deps.now();
  const interviewId = randomUUID();
  const key = generateSessionKey();
  const email = job.candidate.email.toLowerCase();
  const actor = `slack:${job.recruiter.userId}`;
  let row: TBookRow | undefined;
  try {
    [row] = await prisma.$queryRaw<TBookRow[]>`
      WITH existing AS (
        SELECT id, revision FROM "Interview" WHERE "bookingRequestId" = ${job.id}::text
      ), seat AS (
        UPDATE "Slot" SET "seatsTaken" = "seatsTaken" + 1
        WHERE id = ${job.slotId}::uuid AND "seatsTaken" < capacity AND "closedAt" IS NULL
          AND "startsAt" > ${now}::timestamptz AND NOT EXISTS (SELECT 1 FROM existing)
        RETURNING "startsAt", "durationMinutes"
      ), candidate AS (
        INSERT INTO "Candidate" (id, name, email, "timeZone", "updatedAt")
        SELECT ${randomUUID()}::uuid, ${job.candidate.name}::text, ${email}::text,
               ${job.candidate.timeZone}::text, now()
        FROM seat
        ON CONFLICT (email) DO UPDATE
          SET name = EXCLUDED.name, "timeZone" = EXCLUDED."timeZone", "updatedAt" = EXCLUDED."updatedAt"
        RETURNING id
      ), interview AS (
        INSERT INTO "Interview" (id, "candidateId", "roleId", "slotId", "scheduledStart", "scheduledEnd",
          "sessionKeyHash", "sessionKeySealed", notes, "bookingRequestId", "recruiterSlackUser", "recruiterEmail",
          "slackTeamId", "slackChannelId", "updatedAt")
        SELECT ${interviewId}::uuid, candidate.id, ${job.roleId}::uuid, ${job.slotId}::uuid, seat."startsAt",
               seat."startsAt" + seat."durationMinutes" * interval '1 minute',
               ${hashSessionKey(key)}::text, ${sealForInterview(deps.config, key, interviewId)}::text,
               ${job.notes}::text, ${job.id}::text,
               ${job.recruiter.userId}::text, ${job.recruiter.email ?? null}::text,
               ${job.recruiter.teamId ?? null}::text, ${job.channelId}::text, now()
        FROM seat, candidate
        RETURNING id, revision
      ), booked AS (
        INSERT INTO "Event" ("interviewId", type, actor, data)
        SELECT id, 'interview.booked', ${actor}::text,
               jsonb_build_object('slotId', ${job.slotId}::text, 'roleId', ${job.roleId}::text)
        FROM interview
        RETURNING "interviewId"
      )
      SELECT i.id AS "bookedId", i.revision AS "bookedRevision",
             e.id AS "existingId", e.revision AS "existingRevision",
             s."startsAt", s."durationMinutes", s.capacity, s."seatsTaken", s."closedAt"
      FROM (SELECT 1) one
      LEFT JOIN interview i ON true
      LEFT JOIN existing e ON true
      LEFT JOIN "Slot" s ON s.id = ${job.slotId}::uuid`;
  } catch (err) {
    // The same booking ran twice at once (a stalled job re-delivered): the other run won.
    if (isUniqueViolation(err)) {
      const winner = await prisma.interview.findUnique({
        where: { bookingRequestId: job.id },
        select: { id: true, revision: true },
      });
      if (winner) return { outcome: 'duplicate', interviewId: winner.id, revision: winner.revision };
    }
    throw err;
  }
  if (!row) throw new Error('the booking statement returned no row');
  if (row.bookedId)
    return { outcome: 'booked', interviewId: row.bookedId, revision: row.bookedRevision ?? 1 };
  if (row.existingId)
    return { outcome: 'duplicate', interviewId: row.existingId, revision: row.existingRevision ?? 1 };
  if (!row.startsAt) return { outcome: 'unavailable', reason: 'gone' };
  const b = bookability(
    {
      startsAt: row.startsAt,
      durationMinutes: row.durationMinutes ?? 0,
      capacity: row.capacity ?? 0,
      seatsTaken: row.seatsTaken ?? 0,
      closedAt: row.closedAt,
    },
    now,
  );
  return { outcome: 'unavailable', reason: b === 'ok' ? 'full' : b };
}

/**
 * A unique violation, as Prisma reports it: P2002 from its model API, P2010 carrying
 * PostgreSQL's 23505 from a raw query.
 */
function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  const meta = err.meta as
    | { code?: unknown; driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } }
    | undefined;
  return (
    err.code === 'P2010' &&
    (meta?.code === '23505' ||
      meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation' ||
      meta?.driverAdapterError?.cause?.originalCode === '23505')
  );
}

async function reschedule(
  job: TBookingRequest,
  r: NonNullable<TBookingRequest['reschedule']>,
  deps: TBookDeps,
): Promise<TBookOutcome> {
  const { prisma } = deps;
  const now = deps.now();
  const current = await prisma.interview.findUnique({ where: { id: r.interviewId } });
  if (!current) return { outcome: 'stale', reason: 'not_found' };
  // This exact reschedule already went through (the job ran before): report it, do nothing.
  const done = await prisma.event.findFirst({
    where: {
      interviewId: r.interviewId,
      type: 'interview.rescheduled',
      data: { path: ['requestId'], equals: job.id },
    },
    select: { data: true },
  });
  if (done) {
    const revision = Number((done.data as { revision?: number }).revision ?? current.revision);
    return { outcome: 'duplicate', interviewId: current.id, revision };
  }
  const key = generateSessionKey();
  if (current.status !== 'scheduled') return { outcome: 'stale', reason: 'not_reschedulable' };
  if (current.revision !== r.fromRevision) return { outcome: 'stale', reason: 'revision_changed' };
  try {
    return await prisma.$transaction(async (tx) => {
      const slot = await takeSeat(tx, job.slotId, now);
      if (!slot) throw new Rollback({ outcome: 'unavailable', reason: 'full' });
      const { count } = await tx.interview.updateMany({
        where: { id: r.interviewId, status: 'scheduled', revision: r.fromRevision },
        data: {
          slotId: job.slotId,
          scheduledStart: slot.startsAt,
          scheduledEnd: new Date(slot.startsAt.getTime() + slot.durationMinutes * 60_000),
          sessionKeyHash: hashSessionKey(key),
          sessionKeySealed: sealForInterview(deps.config, key, r.interviewId),
          revision: { increment: 1 },
          questionPlan: Prisma.DbNull,
          planPreparedAt: null,
        },
      });
      if (count === 0) throw new Rollback({ outcome: 'stale', reason: 'revision_changed' });
      await releaseSeat(tx, current.slotId);
      await recordEvent(tx, {
        interviewId: r.interviewId,
        type: 'interview.rescheduled',
        actor: `slack:${job.recruiter.userId}`,
        data: {
          fromSlotId: current.slotId,
          toSlotId: job.slotId,
          revision: r.fromRevision + 1,
          requestId: job.id,
        },
      });
      return { outcome: 'booked' as const, interviewId: r.interviewId, revision: r.fromRevision + 1 };
    });
  } catch (err) {
    if (err instanceof Rollback) {
      if (err.result.outcome === 'unavailable') {
        return { outcome: 'unavailable', reason: await whyUnavailable(prisma, job.slotId, now) };
      }
      return err.result;
    }
    throw err;
  }
}
