/**
 * What the interview room (portal/interview-socket.ts) reads and writes about an interview
 * and its turns, so the portal never calls the database itself.
 */
import type { TServiceDeps } from '../deps.js';

type TDeps = Pick<TServiceDeps, 'prisma'>;

/** The interview row, or null when it is gone. */
export function findRoomInterview(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUnique({ where: { id: interviewId } });
}

/** The interview row; throws Prisma's not-found error when it is gone. */
export function getRoomInterview(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
}

/** The stored question plan (null when there is none yet, or no interview). */
export async function storedQuestionPlan(deps: TDeps, interviewId: string): Promise<unknown> {
  const row = await deps.prisma.interview.findUnique({
    where: { id: interviewId },
    select: { questionPlan: true },
  });
  return row?.questionPlan ?? null;
}

/** The interview with the candidate's name and the role's title (for the greeting). */
export function getInterviewWithNames(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: { candidate: { select: { name: true } }, role: { select: { title: true } } },
  });
}

/** The interview (with its role's title) and its turn `seq`, once that turn is answered. */
export async function getAnsweredTurn(deps: TDeps, interviewId: string, seq: number) {
  const interview = await deps.prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: { role: { select: { title: true } } },
  });
  const answered = await deps.prisma.interviewTurn.findUniqueOrThrow({
    where: { interviewId_seq: { interviewId, seq } },
  });
  return { interview, answered };
}

/**
 * Whether `connectionId` still owns the interview (as isActiveConnection decides it) and the
 * latest turn's number and whether it is answered, in one statement: every spoken answer
 * starts with both checks.
 */
export async function latestTurnIfOwned(
  deps: TDeps,
  interviewId: string,
  connectionId: string,
): Promise<{ isOwner: boolean; latest: { seq: number; answeredAt: Date | null } | null }> {
  const rows = await deps.prisma.$queryRaw<
    Array<{ isOwner: boolean; seq: number | null; answeredAt: Date | null }>
  >`
    SELECT (COALESCE(i."activeConnectionId" = ${connectionId}, false)
            OR i."status" NOT IN ('in_progress', 'scheduled')) AS "isOwner",
           t."seq", t."answeredAt"
    FROM "Interview" AS i
    LEFT JOIN LATERAL (
      SELECT "seq", "answeredAt" FROM "InterviewTurn"
      WHERE "interviewId" = i."id" ORDER BY "seq" DESC LIMIT 1
    ) AS t ON true
    WHERE i."id" = ${interviewId}::uuid`;
  const row = rows[0];
  if (!row) return { isOwner: false, latest: null };
  return {
    isOwner: row.isOwner,
    latest: row.seq === null ? null : { seq: row.seq, answeredAt: row.answeredAt },
  };
}

/** How much of turn `seq`'s speech the candidate heard before interrupting it. */
export async function recordBargeIn(deps: TDeps, interviewId: string, seq: number, playedMs: number) {
  await deps.prisma.interviewTurn.updateMany({
    where: { interviewId, seq },
    data: { bargeInPlayedMs: Math.round(playedMs) },
  });
}

/** Drops the pieces of an answer the candidate abandoned. */
export async function discardAnswerPieces(deps: TDeps, interviewId: string, seq: number) {
  await deps.prisma.answerPiece.deleteMany({ where: { interviewId, seq } });
}
