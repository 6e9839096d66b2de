/** Reading interviews for the Slack surfaces (buttons, App Home, forms). */
import type { TServiceDeps } from '../deps.js';

type TDeps = Pick<TServiceDeps, 'prisma'>;

export function findInterview(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUnique({ where: { id: interviewId } });
}

export function findInterviewWithCandidate(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUnique({ where: { id: interviewId }, include: { candidate: true } });
}

/** The App Home's list: interviews from a week ago on, soonest first, without redacted ones. */
export function recentInterviews(deps: TDeps, now: Date, limit = 30) {
  return deps.prisma.interview.findMany({
    where: { scheduledStart: { gt: new Date(now.getTime() - 7 * 24 * 3600_000) }, redactedAt: null },
    orderBy: { scheduledStart: 'asc' },
    take: limit,
    include: { candidate: true, role: true },
  });
}

/** The id of the interview a booking request made, if it made one. */
export async function bookedInterviewId(deps: TDeps, bookingRequestId: string): Promise<string | null> {
  const row = await deps.prisma.interview.findUnique({ where: { bookingRequestId }, select: { id: true } });
  return row?.id ?? null;
}
