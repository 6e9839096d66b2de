/** Availability slots: listing the open ones, adding, closing. */
import { AppError } from '../../domain/errors.js';
import { seatsLeft } from '../../domain/seats.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

export type TOpenSlot = {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  seatsTaken: number;
  seatsLeft: number;
  timeZone: string;
};

/**
 * Open future slots with seats left, soonest first. `limit` is capped at what a
 * Slack select can show (100).
 */
export async function listOpenSlots(
  prisma: PrismaClient | Prisma.TransactionClient,
  now: Date,
  opts: { limit?: number; after?: Date; excludeSlotId?: string } = {},
): Promise<{ slots: TOpenSlot[]; total: number }> {
  // Seat columns are compared with each other, which Prisma's filter API cannot
  // express; one indexed query returns both the page and the total.
  const limit = Math.min(opts.limit ?? 100, 100);
  const rows = await prisma.$queryRaw<Array<TOpenSlot & { total: bigint }>>`
    SELECT id, "startsAt", "durationMinutes", capacity, "seatsTaken", "timeZone",
           count(*) OVER () AS total
    FROM "Slot"
    WHERE "startsAt" > ${opts.after ?? now} AND "closedAt" IS NULL AND "seatsTaken" < capacity
      AND id <> ${opts.excludeSlotId ?? '00000000-0000-0000-0000-000000000000'}::uuid
    ORDER BY "startsAt", id
    LIMIT ${limit}`;
  return {
    slots: rows.map(({ total: _t, ...s }) => ({ ...s, seatsLeft: seatsLeft(s) })),
    total: rows.length > 0 ? Number(rows[0]!.total) : 0,
  };
}

export type TNewSlots = {
  startsAt: Date[];
  durationMinutes: number;
  capacity: number;
  timeZone: string;
  createdBy: string;
};

export async function addSlots(
  input: TNewSlots,
  deps: Pick<TServiceDeps, 'prisma' | 'now'>,
): Promise<number> {
  const now = deps.now();
  if (input.startsAt.some((d) => d.getTime() <= now.getTime())) {
    throw new AppError('invalid_input', 'A slot must start in the future.', { field: 'date' });
  }
  const created = await deps.prisma.slot.createMany({
    data: input.startsAt.map((startsAt) => ({
      startsAt,
      durationMinutes: input.durationMinutes,
      capacity: input.capacity,
      timeZone: input.timeZone,
      createdBySlackUser: input.createdBy,
    })),
  });
  await recordEvent(deps.prisma, {
    type: 'slots.added',
    actor: `slack:${input.createdBy}`,
    data: { count: created.count, first: input.startsAt[0]?.toISOString() ?? null },
  });
  return created.count;
}

/** Closes a slot to new bookings. Interviews already booked in it stay booked. Safe to repeat. */
export async function closeSlot(
  slotId: string,
  actor: string,
  deps: Pick<TServiceDeps, 'prisma' | 'now'>,
): Promise<'closed' | 'already_closed'> {
  const { count } = await deps.prisma.slot.updateMany({
    where: { id: slotId, closedAt: null },
    data: { closedAt: deps.now() },
  });
  if (count === 0) {
    const exists = await deps.prisma.slot.findUnique({ where: { id: slotId }, select: { id: true } });
    if (!exists) throw new AppError('not_found', 'That slot no longer exists.');
    return 'already_closed';
  }
  await recordEvent(deps.prisma, { type: 'slot.closed', actor: `slack:${actor}`, data: { slotId } });
  return 'closed';
}

export async function upcomingSlots(deps: Pick<TServiceDeps, 'prisma' | 'now'>, limit = 40) {
  return deps.prisma.slot.findMany({
    where: { startsAt: { gt: deps.now() }, closedAt: null },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}

export function findSlot(deps: Pick<TServiceDeps, 'prisma'>, slotId: string) {
  return deps.prisma.slot.findUnique({ where: { id: slotId } });
}

/** The open slot starting at `startsAt` that `slackUserId` added last. */
export function latestOpenSlotAddedBy(
  deps: Pick<TServiceDeps, 'prisma'>,
  slackUserId: string,
  startsAt: Date,
) {
  return deps.prisma.slot.findFirst({
    where: { startsAt, createdBySlackUser: slackUserId, closedAt: null },
    orderBy: { createdAt: 'desc' },
  });
}
