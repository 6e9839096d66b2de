/**
 * The one way an interview's status changes. The move is a single conditional UPDATE whose
 * WHERE lists only the statuses the domain table (domain/interview-state.ts) allows to move to
 * `to`, so the table is checked in the same statement that makes the move: two workers, two
 * browser tabs or a worker and a tab racing for the same move cannot both make it.
 */
import { type TInterviewStatus, transitionSources } from '../../domain/interview-state.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';

type TDb = PrismaClient | Prisma.TransactionClient;

/** The fields written together with the status (ended at, end reason, …). */
export type TTransitionData = Omit<Prisma.InterviewUpdateManyMutationInput, 'status'>;

/**
 * Moves interview `interviewId` from `from` (one status, or any of several) to `to`, writing
 * `data` in the same statement. Returns true when this call made the move, false when the
 * interview was not in `from` (someone else moved it first, or it is gone).
 * Throws AppError('invalid_state') when the table does not allow `from → to`.
 */
export async function transitionInterview(
  db: TDb,
  interviewId: string,
  from: TInterviewStatus | readonly TInterviewStatus[],
  to: TInterviewStatus,
  data: TTransitionData = {},
): Promise<boolean> {
  const sources = transitionSources(from, to);
  const { count } = await db.interview.updateMany({
    where: { id: interviewId, status: sources.length === 1 ? sources[0]! : { in: sources } },
    data: { ...data, status: to },
  });
  return count === 1;
}
