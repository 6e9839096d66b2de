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
 * `expired` means the window closed without a start.
 */
export const TRANSITIONS: Readonly<Record<TInterviewStatus, readonly TInterviewStatus[]>> = Object.freeze({
  scheduled: ['in_progress', 'cancelled', 'expired'],
  in_progress: ['completed', 'cancelled'],
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

/** Only an interview that has not started can be cancelled by a recruiter. */
export function isCancellable(status: TInterviewStatus): boolean {
  return status === 'scheduled';
}

/** Only an interview that has not started can be moved to another slot. */
export function isReschedulable(status: TInterviewStatus): boolean {
  return status === 'scheduled';
}
