/** The decision standing on an interview, read from the event log. */
import { currentDecision, DECISION_EVENT_TYPES, type TCurrentDecision } from '../../domain/decision.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';

type TDb = PrismaClient | Prisma.TransactionClient;

const DECISION_TYPES = Object.values(DECISION_EVENT_TYPES);

/** The decision standing on an interview now (null: none). Events are read in the order written. */
export async function loadDecision(db: TDb, interviewId: string): Promise<TCurrentDecision | null> {
  const events = await db.event.findMany({
    where: { interviewId, type: { in: DECISION_TYPES } },
    orderBy: { id: 'asc' },
    select: { type: true, actor: true, createdAt: true, data: true },
  });
  return currentDecision(events);
}
