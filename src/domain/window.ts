import { AppError } from './errors.js';

const MINUTE_MS = 60_000;

export type TWindowSettings = {
  /** Minutes before the start when the lobby (system check) opens. */
  lobbyOpensMinutes: number;
  /** Minutes before the start from which the interview can be joined. */
  joinEarlyMinutes: number;
  /** Minutes after the scheduled end during which it can still be joined or continued. */
  graceMinutes: number;
};

export const DEFAULT_WINDOW_SETTINGS: Readonly<TWindowSettings> = Object.freeze({
  lobbyOpensMinutes: 15,
  joinEarlyMinutes: 5,
  graceMinutes: 10,
});

export type TInterviewWindow = { lobbyOpensAt: Date; joinOpensAt: Date; closesAt: Date };

export type TWindowState = 'too_early' | 'lobby' | 'open' | 'closed';

function assertMinutes(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new AppError('invalid_input', `${name} must be a non-negative number of minutes`);
  }
}

/**
 * When a candidate may enter the lobby, join, and until when: the lobby opens
 * `lobbyOpensMinutes` before `start`, joining from `joinEarlyMinutes` before `start`
 * until `end + graceMinutes`. If the lobby would open after joining does (lobbyOpensMinutes
 * < joinEarlyMinutes), it opens together with joining, so lobbyOpensAt ≤ joinOpensAt always.
 * Throws AppError('invalid_input') for negative settings, invalid dates, or `end` before `start`.
 */
export function interviewWindow(start: Date, end: Date, s: TWindowSettings): TInterviewWindow {
  assertMinutes('lobbyOpensMinutes', s.lobbyOpensMinutes);
  assertMinutes('joinEarlyMinutes', s.joinEarlyMinutes);
  assertMinutes('graceMinutes', s.graceMinutes);
  const startMs = start.getTime();
  const endMs = end.getTime();
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new AppError('invalid_input', 'Invalid date');
  if (endMs < startMs) throw new AppError('invalid_input', 'An interview cannot end before it starts');
  const joinOpensAt = startMs - s.joinEarlyMinutes * MINUTE_MS;
  const lobbyOpensAt = Math.min(startMs - s.lobbyOpensMinutes * MINUTE_MS, joinOpensAt);
  return {
    lobbyOpensAt: new Date(lobbyOpensAt),
    joinOpensAt: new Date(joinOpensAt),
    closesAt: new Date(endMs + s.graceMinutes * MINUTE_MS),
  };
}

/**
 * Where `now` falls: before the lobby opens → 'too_early'; from lobbyOpensAt (inclusive) →
 * 'lobby'; from joinOpensAt (inclusive) → 'open'; from closesAt (inclusive) → 'closed'.
 */
export function windowState(now: Date, w: TInterviewWindow): TWindowState {
  const t = now.getTime();
  if (t < w.lobbyOpensAt.getTime()) return 'too_early';
  if (t < w.joinOpensAt.getTime()) return 'lobby';
  if (t < w.closesAt.getTime()) return 'open';
  return 'closed';
}

/** True while the interview can be joined (state 'open'). */
export function canJoin(now: Date, w: TInterviewWindow): boolean {
  return windowState(now, w) === 'open';
}

/**
 * Milliseconds left for an interview that started at `startedAt` and may last `durationMinutes`,
 * cut short by the window closing: min(startedAt + duration, closesAt) − now, never below 0.
 */
export function remainingMs(now: Date, startedAt: Date, durationMinutes: number, closesAt: Date): number {
  const left = endsAt(startedAt, durationMinutes * MINUTE_MS, closesAt).getTime() - now.getTime();
  return Number.isNaN(left) || left < 0 ? 0 : left;
}

/** When a started interview must end: its start plus its duration, cut by the window's close. */
function endsAt(startedAt: Date, durationMs: number, closesAt: Date): Date {
  return new Date(Math.min(startedAt.getTime() + durationMs, closesAt.getTime()));
}

/**
 * The scheduled end plus the extra minutes an accommodation granted: the interview's length, the
 * room's timer and the window's close all follow it.
 */
export function accommodatedEnd(interview: { scheduledEnd: Date; extraMinutes?: number }): Date {
  return new Date(interview.scheduledEnd.getTime() + (interview.extraMinutes ?? 0) * MINUTE_MS);
}

export type TInterviewTiming = {
  window: TInterviewWindow;
  state: TWindowState;
  /** The interview's length: its slot's, plus any extra minutes granted. */
  durationMs: number;
  /** When the interview must end: started + duration, cut by the window's close; null before the start. */
  endsAt: Date | null;
  /** Time left once started; before the start, what a start now would get. Never below 0. */
  remainingMs: number;
};

/**
 * Where an interview stands in time at `now`: its window, the window's state, and how long it
 * may still run. The one timing rule: the portal's pages, its socket and the interview service
 * read it from here.
 */
export function interviewTiming(
  interview: { scheduledStart: Date; scheduledEnd: Date; startedAt: Date | null; extraMinutes?: number },
  settings: TWindowSettings,
  now: Date,
): TInterviewTiming {
  const end = accommodatedEnd(interview);
  const window = interviewWindow(interview.scheduledStart, end, settings);
  const durationMs = end.getTime() - interview.scheduledStart.getTime();
  const ends = interview.startedAt ? endsAt(interview.startedAt, durationMs, window.closesAt) : null;
  return {
    window,
    state: windowState(now, window),
    durationMs,
    endsAt: ends,
    remainingMs: ends
      ? Math.max(0, ends.getTime() - now.getTime())
      : Math.min(durationMs, Math.max(0, window.closesAt.getTime() - now.getTime())),
  };
}

/** Why a started interview ends when its time runs out. */
export type TTimeOutReason = 'time_up' | 'window_closed';

/**
 * The end-reason rule: an interview whose end was cut by the window's close ended because the
 * window closed; otherwise its own duration ran out.
 */
export function timeOutReason(timing: Pick<TInterviewTiming, 'endsAt' | 'window'>): TTimeOutReason {
  return timing.endsAt && timing.endsAt.getTime() >= timing.window.closesAt.getTime()
    ? 'window_closed'
    : 'time_up';
}
