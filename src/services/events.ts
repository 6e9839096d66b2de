/** The event log: what happened to an interview, by whom. Never holds secrets or transcripts. */
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

type TDb = PrismaClient | Prisma.TransactionClient;

export async function recordEvent(
  db: TDb,
  event: { interviewId?: string | null; type: string; actor?: string; data?: Prisma.InputJsonValue },
): Promise<void> {
  await db.event.create({
    data: {
      interviewId: event.interviewId ?? null,
      type: event.type,
      actor: event.actor ?? 'system',
      data: event.data ?? {},
    },
  });
}
