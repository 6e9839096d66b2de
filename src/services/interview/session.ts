/**
 * Finding an interview from a candidate's link, and where it stands in its time
 * window. Unknown, rotated and cancelled keys are indistinguishable to callers
 * (all return null), so a page built on this cannot leak which one it was.
 */
import { hashSessionKey, isWellFormedSessionKey } from '../../domain/session-key.js';
import { interviewTiming, type TInterviewTiming } from '../../domain/window.js';
import type { TServiceDeps } from '../deps.js';

const LINKABLE = ['scheduled', 'in_progress', 'completed', 'evaluated', 'failed', 'expired'] as const;

export async function findInterviewByKey(deps: Pick<TServiceDeps, 'prisma'>, key: unknown) {
  if (!isWellFormedSessionKey(key)) return null;
  const interview = await deps.prisma.interview.findUnique({
    where: { sessionKeyHash: hashSessionKey(key) },
    include: { role: true, candidate: true },
  });
  if (!interview || !(LINKABLE as readonly string[]).includes(interview.status) || interview.redactedAt)
    return null;
  return interview;
}

/**
 * Whether `key` is the link of an interview that was cancelled: its holder had the real 256-bit
 * key, so saying "cancelled" tells nothing to someone guessing keys.
 */
export async function isCancelledKey(deps: Pick<TServiceDeps, 'prisma'>, key: unknown): Promise<boolean> {
  if (!isWellFormedSessionKey(key)) return false;
  const found = await deps.prisma.interview.findUnique({
    where: { sessionKeyHash: hashSessionKey(key) },
    select: { status: true, redactedAt: true },
  });
  return found?.status === 'cancelled' && found.redactedAt === null;
}

export type TKeyedInterview = NonNullable<Awaited<ReturnType<typeof findInterviewByKey>>>;

export type TTiming = TInterviewTiming;

/** Where the interview stands in time now (domain/window.ts: interviewTiming). */
export function timingOf(
  deps: Pick<TServiceDeps, 'config' | 'now'>,
  interview: { scheduledStart: Date; scheduledEnd: Date; startedAt: Date | null; extraMinutes?: number },
): TTiming {
  return interviewTiming(interview, deps.config.interview, deps.now());
}
