/** Reading interviews for the Slack surfaces (buttons, App Home, forms). */
import type { TServiceDeps } from '../deps.js';

type TDeps = Pick<TServiceDeps, 'prisma'>;

export function findInterview(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUnique({ where: { id: interviewId } });
}

export function findInterviewWithCandidate(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUnique({ where: { id: interviewId }, include: { candidate: true } });
}

/** The id of the interview a booking request made, if it made one. */
export async function bookedInterviewId(deps: TDeps, bookingRequestId: string): Promise<string | null> {
  const row = await deps.prisma.interview.findUnique({ where: { bookingRequestId }, select: { id: true } });
  return row?.id ?? null;
}
