/** What the candidate's data page (/my-data) reads about their interview. */
import type { TServiceDeps } from '../deps.js';

type TDeps = Pick<TServiceDeps, 'prisma'>;

/** The questions asked, in order. */
export function askedQuestions(deps: TDeps, interviewId: string) {
  return deps.prisma.interviewTurn.findMany({
    where: { interviewId },
    orderBy: { seq: 'asc' },
    select: { seq: true, question: true },
  });
}

/** Every turn, in order, for the transcript download. */
export function interviewTurns(deps: TDeps, interviewId: string) {
  return deps.prisma.interviewTurn.findMany({ where: { interviewId }, orderBy: { seq: 'asc' } });
}

export function countSucceededEvaluations(deps: TDeps, interviewId: string) {
  return deps.prisma.evaluation.count({ where: { interviewId, status: 'succeeded' } });
}

/** The candidate's latest deletion request that is still open, if any. */
export function openDeletionRequest(deps: TDeps, interviewId: string) {
  return deps.prisma.candidateRequest.findFirst({
    where: { interviewId, kind: 'deletion', status: 'open' },
    orderBy: { createdAt: 'desc' },
  });
}
