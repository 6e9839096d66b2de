import { z } from 'zod';
import { AppError } from './errors.js';

export const INTERVIEW_STATUSES = [
  'scheduled',
  'in_progress',
  'completed',
  'evaluated',
  'cancelled',
  'expired',
  'failed',
] as const;

export type TInterviewStatus = (typeof INTERVIEW_STATUSES)[number];

export const ZInterviewStatus = z.enum(INTERVIEW_STATUSES);

/**
 * Allowed moves. `failed → evaluated` is a re-evaluation that succeeded; `evaluated → evaluated`
 * is a re-evaluation that stores a new evaluation version while the status stays.
 * `expired` means the window closed without a start. A started interview is never cancelled: it
 * ends as `completed` (the candidate finished, its time ran out or its window closed) and is
 * evaluated; a recruiter cancels only before the start (`isCancellable`).
 */
export const TRANSITIONS: Readonly<Record<TInterviewStatus, readonly TInterviewStatus[]>> = Object.freeze({
  scheduled: ['in_progress', 'cancelled', 'expired'],
  in_progress: ['completed'],
  completed: ['evaluated', 'failed'],
  evaluated: ['evaluated'],
  cancelled: [],
  expired: [],
  failed: ['evaluated'],
});

export function isInterviewStatus(s: unknown): s is TInterviewStatus {
  return typeof s === 'string' && (INTERVIEW_STATUSES as readonly string[]).includes(s);
}

export function canTransition(from: TInterviewStatus, to: TInterviewStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** Throws AppError('invalid_state') unless `from → to` is allowed. */
export function assertTransition(from: TInterviewStatus, to: TInterviewStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('invalid_state', undefined, { from, to });
  }
}

/**
 * True when the status can never change to another one: cancelled, expired, evaluated
 * (re-evaluation keeps 'evaluated'). 'failed' is not terminal: a re-evaluation can still succeed.
 */
export function isTerminal(status: TInterviewStatus): boolean {
  return TRANSITIONS[status].every((to) => to === status);
}

/**
 * Why an interview ended, as stored on it: the candidate finished, its time ran out, its window
 * closed (started or not: an expired no-show has 'window_closed' too), or a recruiter cancelled it.
 */
export type TEndReason = 'finished' | 'time_up' | 'window_closed' | 'cancelled';

/** Why a started interview was completed: every end reason but a cancellation. */
export type TCompletionReason = Exclude<TEndReason, 'cancelled'>;

/**
 * The statuses from `from` that may move to `to`: the conditional update of a status change
 * lists exactly these, so the table is checked in the same statement that makes the move.
 * Throws AppError('invalid_state') when none may (a move the table does not allow is a bug).
 */
export function transitionSources(
  from: TInterviewStatus | readonly TInterviewStatus[],
  to: TInterviewStatus,
): TInterviewStatus[] {
  const froms: readonly TInterviewStatus[] = typeof from === 'string' ? [from] : from;
  for (const f of froms) assertTransition(f, to);
  if (froms.length === 0)
    throw new AppError('invalid_state', 'A status change needs a status to leave', { to });
  return [...froms];
}

/** Only an interview that has not started can be cancelled by a recruiter. */
export function isCancellable(status: TInterviewStatus): boolean {
  return status === 'scheduled';
}

/** Only an interview that has not started can be moved to another slot. */
export function isReschedulable(status: TInterviewStatus): boolean {
  return status === 'scheduled';
}
