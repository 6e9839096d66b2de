/**
 * Finding an interview from a candidate's link, and where it stands in its time
 * window. Unknown, rotated and cancelled keys are indistinguishable to callers
 * (all return null), so a page built on this cannot leak which one it was.
 */
import { hashSessionKey, isWellFormedSessionKey } from '../../domain/session-key.js';
import {
  interviewWindow,
  type TInterviewWindow,
  type TWindowState,
  windowState,
} from '../../domain/window.js';
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

export type TKeyedInterview = NonNullable<Awaited<ReturnType<typeof findInterviewByKey>>>;

export type TTiming = {
  window: TInterviewWindow;
  state: TWindowState;
  durationMs: number;
  /** When the interview must end: started + duration, cut by the window's close. */
  endsAt: Date | null;
  remainingMs: number;
};

export function timingOf(
  deps: Pick<TServiceDeps, 'config' | 'now'>,
  interview: { scheduledStart: Date; scheduledEnd: Date; startedAt: Date | null; extraMinutes?: number },
): TTiming {
  const end = accommodatedEnd(interview);
  const window = interviewWindow(interview.scheduledStart, end, deps.config.interview);
  const now = deps.now();
  const durationMs = end.getTime() - interview.scheduledStart.getTime();
  const endsAt = interview.startedAt
    ? new Date(Math.min(interview.startedAt.getTime() + durationMs, window.closesAt.getTime()))
    : null;
  return {
    window,
    state: windowState(now, window),
    durationMs,
    endsAt,
    remainingMs: endsAt
      ? Math.max(0, endsAt.getTime() - now.getTime())
      : Math.min(durationMs, Math.max(0, window.closesAt.getTime() - now.getTime())),
  };
}

/**
 * The scheduled end plus the extra minutes an accommodation granted (candidate requests, issue
 * 14): the interview's length, the room's timer and the window's close all follow it.
 */
export function accommodatedEnd(interview: { scheduledEnd: Date; extraMinutes?: number }): Date {
  return new Date(interview.scheduledEnd.getTime() + (interview.extraMinutes ?? 0) * 60_000);
}
