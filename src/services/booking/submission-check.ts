/**
 * The check a schedule-form submission gets before its ack: the slot's seats, whether the role
 * exists, whether this candidate is already booked (by this form, or into this slot), and the
 * workspace's minimum notice, read for a whole burst of submissions at once.
 */
import { coalesceCalls } from '../../infra/coalesce-calls.js';
import type { TServiceDeps } from '../deps.js';

type TSlotSeats = {
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  seatsTaken: number;
  closedAt: Date | null;
};
type TCheckInput = {
  slotId: string | null;
  roleId: string | null;
  requestId: string;
  email: string | null;
  /** The Slack workspace submitting (its minimum notice is read with the slot). */
  teamId?: string | undefined;
};
type TCheckResult = {
  slot: TSlotSeats | null;
  role: { id: string } | null;
  /** When this candidate is already booked by this form, or into this slot: the interview's start. */
  booked: Date | null;
  /** The workspace's own minimum notice in business days; null: it set none (the default applies). */
  minNoticeBusinessDays: number | null;
};

/** One batcher per database client, so separate stacks (tests) never share a batch. */
const checkBatchers = new WeakMap<object, (input: TCheckInput) => Promise<TCheckResult>>();

/**
 * The slot's seats and whether the role exists. This runs before the ack of every
 * submission; submissions arriving in the same turn share one statement (one raw
 * query costs a fraction of the CPU of Prisma model queries, and one round trip
 * for a burst instead of one each: measured in bench/slack-ack). If the statement
 * fails, every submission of that batch reports it inline.
 */
export function checkSlotAndRole(deps: Pick<TServiceDeps, 'prisma'>, input: TCheckInput) {
  let check = checkBatchers.get(deps.prisma);
  if (!check) {
    check = coalesceCalls((inputs: TCheckInput[]) => checkMany(deps, inputs));
    checkBatchers.set(deps.prisma, check);
  }
  return check(input);
}

async function checkMany(deps: Pick<TServiceDeps, 'prisma'>, inputs: TCheckInput[]): Promise<TCheckResult[]> {
  const slotIds = [...new Set(inputs.flatMap((i) => (i.slotId ? [i.slotId] : [])))];
  const roleIds = [...new Set(inputs.flatMap((i) => (i.roleId ? [i.roleId] : [])))];
  const requestIds = inputs.map((i) => i.requestId);
  const emails = inputs.map((i) => i.email ?? '');
  const slotOf = inputs.map((i) => i.slotId ?? '');
  const teamIds = [...new Set(inputs.flatMap((i) => (i.teamId ? [i.teamId] : [])))];
  const [rows, bookedRows, settings] = await Promise.all([
    deps.prisma.$queryRaw<
      Array<TSlotSeats & { id: string; isRole: boolean }>
    >`SELECT s.id::text AS id, false AS "isRole", s."startsAt", s."durationMinutes", s.capacity,
           s."seatsTaken", s."closedAt"
    FROM "Slot" s WHERE s.id = ANY(${slotIds}::uuid[])
    UNION ALL
    SELECT r.id::text, true, NULL, NULL, NULL, NULL, NULL
    FROM "Role" r WHERE r.id = ANY(${roleIds}::uuid[])`,
    // A resubmitted form, or the same candidate into the same slot, is "already booked", with when.
    deps.prisma.$queryRaw<Array<{ idx: bigint; start: Date }>>`
    SELECT b.idx, min(i."scheduledStart") AS start
    FROM unnest(${requestIds}::text[], ${emails}::text[], ${slotOf}::text[]) WITH ORDINALITY AS b(req, email, slot, idx)
    JOIN "Interview" i ON i."bookingRequestId" = b.req
      OR (i.status = 'scheduled' AND i."slotId"::text = b.slot
          AND i."candidateId" IN (SELECT c.id FROM "Candidate" c WHERE c.email = b.email))
    GROUP BY b.idx`,
    teamIds.length > 0
      ? deps.prisma.workspaceSettings.findMany({
          where: { teamId: { in: teamIds } },
          select: { teamId: true, minNoticeBusinessDays: true },
        })
      : [],
  ]);
  const notice = new Map(settings.map((r) => [r.teamId, r.minNoticeBusinessDays]));
  const booked = new Map(bookedRows.map((r) => [Number(r.idx) - 1, r.start]));
  const slots = new Map<string, TSlotSeats>();
  const roles = new Set<string>();
  for (const { id, isRole, ...seats } of rows) {
    if (isRole) roles.add(id);
    else slots.set(id, seats);
  }
  return inputs.map(({ slotId, roleId, teamId }, i) => ({
    slot: (slotId && slots.get(slotId)) || null,
    role: roleId && roles.has(roleId) ? { id: roleId } : null,
    booked: booked.get(i) ?? null,
    minNoticeBusinessDays: teamId ? (notice.get(teamId) ?? null) : null,
  }));
}
