/**
 * Taking a seat. One transaction: a conditional UPDATE takes a seat only while one
 * is left (PostgreSQL re-checks the condition after waiting for a concurrent
 * writer's row lock, and a CHECK constraint backs it up), then the interview is
 * created. Nothing overbooks, whatever the concurrency or the number of processes.
 */
import { bookability, type TBookability } from '../../domain/seats.js';
import { hashSessionKey } from '../../domain/session-key.js';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { TBookingJob } from '../../infra/queue/catalogue.js';
import { recordEvent } from '../events.js';

export type TBookOutcome =
  | { outcome: 'booked'; interviewId: string; revision: number }
  | { outcome: 'duplicate'; interviewId: string; revision: number }
  | { outcome: 'unavailable'; reason: Exclude<TBookability, 'ok'> | 'gone' }
  | { outcome: 'stale'; reason: 'not_reschedulable' | 'revision_changed' | 'not_found' };

type TTx = Prisma.TransactionClient;

/** Takes one seat if the slot is open, in the future and not full; returns the slot or null. */
async function takeSeat(tx: TTx, slotId: string, now: Date) {
  const rows = await tx.$queryRaw<Array<{ startsAt: Date; durationMinutes: number }>>`
    UPDATE "Slot" SET "seatsTaken" = "seatsTaken" + 1
    WHERE id = ${slotId}::uuid AND "seatsTaken" < capacity AND "closedAt" IS NULL AND "startsAt" > ${now}
    RETURNING "startsAt", "durationMinutes"`;
  return rows[0] ?? null;
}

async function releaseSeat(tx: TTx, slotId: string): Promise<void> {
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

export async function bookInterview(
  job: TBookingJob,
  deps: { prisma: PrismaClient; now: () => Date },
): Promise<TBookOutcome> {
  return job.reschedule ? reschedule(job, job.reschedule, deps) : bookNew(job, deps);
}

async function bookNew(
  job: TBookingJob,
  deps: { prisma: PrismaClient; now: () => Date },
): Promise<TBookOutcome> {
  const { prisma } = deps;
  const existing = await prisma.interview.findUnique({
    where: { bookingRequestId: job.bookingRequestId },
    select: { id: true, revision: true },
  });
  if (existing) return { outcome: 'duplicate', interviewId: existing.id, revision: existing.revision };
  const now = deps.now();
  try {
    return await prisma.$transaction(async (tx) => {
      const slot = await takeSeat(tx, job.slotId, now);
      if (!slot) throw new Rollback({ outcome: 'unavailable', reason: 'full' });
      const email = job.candidate.email.toLowerCase();
      const candidate = await tx.candidate.upsert({
        where: { email },
        create: { name: job.candidate.name, email, timeZone: job.candidate.timeZone },
        update: { name: job.candidate.name, timeZone: job.candidate.timeZone },
      });
      const interview = await tx.interview.create({
        data: {
          candidateId: candidate.id,
          roleId: job.roleId,
          slotId: job.slotId,
          scheduledStart: slot.startsAt,
          scheduledEnd: new Date(slot.startsAt.getTime() + slot.durationMinutes * 60_000),
          sessionKeyHash: hashSessionKey(job.sessionKey),
          notes: job.notes,
          bookingRequestId: job.bookingRequestId,
          recruiterSlackUser: job.recruiter.userId,
          recruiterEmail: job.recruiter.email ?? null,
          slackTeamId: job.recruiter.teamId ?? null,
          slackChannelId: job.channelId,
        },
      });
      await recordEvent(tx, {
        interviewId: interview.id,
        type: 'interview.booked',
        actor: `slack:${job.recruiter.userId}`,
        data: { slotId: job.slotId, roleId: job.roleId },
      });
      return { outcome: 'booked' as const, interviewId: interview.id, revision: interview.revision };
    });
  } catch (err) {
    if (err instanceof Rollback) {
      if (err.result.outcome === 'unavailable') {
        return { outcome: 'unavailable', reason: await whyUnavailable(prisma, job.slotId, now) };
      }
      return err.result;
    }
    // The same booking ran twice at once (a stalled job re-delivered): the other run won.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const winner = await prisma.interview.findUnique({ where: { bookingRequestId: job.bookingRequestId } });
      if (winner) return { outcome: 'duplicate', interviewId: winner.id, revision: winner.revision };
    }
    throw err;
  }
}

async function reschedule(
  job: TBookingJob,
  r: NonNullable<TBookingJob['reschedule']>,
  deps: { prisma: PrismaClient; now: () => Date },
): Promise<TBookOutcome> {
  const { prisma } = deps;
  const now = deps.now();
  const current = await prisma.interview.findUnique({ where: { id: r.interviewId } });
  if (!current) return { outcome: 'stale', reason: 'not_found' };
  // This exact reschedule already went through (the job ran before): report it, do nothing.
  if (current.revision === r.fromRevision + 1 && current.sessionKeyHash === hashSessionKey(job.sessionKey)) {
    return { outcome: 'duplicate', interviewId: current.id, revision: current.revision };
  }
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
          sessionKeyHash: hashSessionKey(job.sessionKey),
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
        data: { fromSlotId: current.slotId, toSlotId: job.slotId, revision: r.fromRevision + 1 },
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

/**
 * Cancels a scheduled interview and frees its seat, once: a second click finds
 * the status already changed and does nothing.
 */
export async function cancelInterview(
  interviewId: string,
  actor: string,
  deps: { prisma: PrismaClient; now: () => Date },
): Promise<{ outcome: 'cancelled'; revision: number } | { outcome: 'not_cancellable'; status: string }> {
  try {
    return await deps.prisma.$transaction(async (tx) => {
      const { count } = await tx.interview.updateMany({
        where: { id: interviewId, status: 'scheduled' },
        data: { status: 'cancelled', cancelledAt: deps.now(), endReason: 'cancelled' },
      });
      const interview = await tx.interview.findUniqueOrThrow({ where: { id: interviewId } });
      if (count === 0) throw new Rollback({ outcome: 'stale', reason: 'not_reschedulable' });
      await releaseSeat(tx, interview.slotId);
      await recordEvent(tx, { interviewId, type: 'interview.cancelled', actor: `slack:${actor}` });
      return { outcome: 'cancelled' as const, revision: interview.revision };
    });
  } catch (err) {
    if (err instanceof Rollback) {
      const i = await deps.prisma.interview.findUnique({
        where: { id: interviewId },
        select: { status: true },
      });
      return { outcome: 'not_cancellable', status: i?.status ?? 'missing' };
    }
    throw err;
  }
}
