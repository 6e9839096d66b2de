/**
 * The check a schedule-form submission gets before its ack: the slot's seats and whether the
 * role exists, read for a whole burst of submissions at once.
 */
import { batchPerTurn } from '../../infra/batch-per-turn.js';
import type { TServiceDeps } from '../deps.js';

type TSlotSeats = {
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  seatsTaken: number;
  closedAt: Date | null;
};
type TCheckInput = { slotId: string | null; roleId: string | null };
type TCheckResult = { slot: TSlotSeats | null; role: { id: string } | null };

/** One batcher per database client, so separate stacks (tests) never share a batch. */
const checkBatchers = new WeakMap<object, (input: TCheckInput) => Promise<TCheckResult>>();

/**
 * The slot's seats and whether the role exists. This runs before the ack of every
 * submission; submissions arriving in the same turn share one statement (one raw
 * query costs a fraction of the CPU of Prisma model queries, and one round trip
 * for a burst instead of one each: measured in bench/slack-ack). If the statement
 * fails, every submission of that batch reports it inline.
 */
export function checkSlotAndRole(
  deps: Pick<TServiceDeps, 'prisma'>,
  slotId: string | null,
  roleId: string | null,
) {
  let check = checkBatchers.get(deps.prisma);
  if (!check) {
    check = batchPerTurn((inputs: TCheckInput[]) => checkMany(deps, inputs));
    checkBatchers.set(deps.prisma, check);
  }
  return check({ slotId, roleId });
}

async function checkMany(deps: Pick<TServiceDeps, 'prisma'>, inputs: TCheckInput[]): Promise<TCheckResult[]> {
  const slotIds = [...new Set(inputs.flatMap((i) => (i.slotId ? [i.slotId] : [])))];
  const roleIds = [...new Set(inputs.flatMap((i) => (i.roleId ? [i.roleId] : [])))];
  const rows = await deps.prisma.$queryRaw<
    Array<TSlotSeats & { id: string; isRole: boolean }>
  >`SELECT s.id::text AS id, false AS "isRole", s."startsAt", s."durationMinutes", s.capacity,
           s."seatsTaken", s."closedAt"
    FROM "Slot" s WHERE s.id = ANY(${slotIds}::uuid[])
    UNION ALL
    SELECT r.id::text, true, NULL, NULL, NULL, NULL, NULL
    FROM "Role" r WHERE r.id = ANY(${roleIds}::uuid[])`;
  const slots = new Map<string, TSlotSeats>();
  const roles = new Set<string>();
  for (const { id, isRole, ...seats } of rows) {
    if (isRole) roles.add(id);
    else slots.set(id, seats);
  }
  return inputs.map(({ slotId, roleId }) => ({
    slot: (slotId && slots.get(slotId)) || null,
    role: roleId && roles.has(roleId) ? { id: roleId } : null,
  }));
}
