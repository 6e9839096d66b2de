/**
 * The timing rule (interviewTiming) and the end-reason rule (timeOutReason) that the portal's
 * pages, its socket and the interview service all read from domain/window.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_SETTINGS,
  interviewTiming,
  remainingMs,
  timeOutReason,
} from '../../../src/domain/window.js';

const MIN = 60_000;
const at = (s: string) => new Date(s);
const scheduled = { scheduledStart: at('2026-03-09T10:00:00Z'), scheduledEnd: at('2026-03-09T10:30:00Z') };
// Default settings: joining from 09:55, closing at 10:40.

describe('interviewTiming', () => {
  it('before the start: no end yet, and a start now would get the whole duration', () => {
    const t = interviewTiming(
      { ...scheduled, startedAt: null },
      DEFAULT_WINDOW_SETTINGS,
      at('2026-03-09T09:56:00Z'),
    );
    expect(t.state).toBe('open');
    expect(t.endsAt).toBeNull();
    expect(t.durationMs).toBe(30 * MIN);
    expect(t.remainingMs).toBe(30 * MIN);
  });

  it('before the start, late: what is left of the window', () => {
    const t = interviewTiming(
      { ...scheduled, startedAt: null },
      DEFAULT_WINDOW_SETTINGS,
      at('2026-03-09T10:25:00Z'),
    );
    expect(t.remainingMs).toBe(15 * MIN);
  });

  it('started on time: counts down from the duration', () => {
    const t = interviewTiming(
      { ...scheduled, startedAt: at('2026-03-09T10:00:00Z') },
      DEFAULT_WINDOW_SETTINGS,
      at('2026-03-09T10:12:00Z'),
    );
    expect(t.endsAt).toEqual(at('2026-03-09T10:30:00Z'));
    expect(t.remainingMs).toBe(18 * MIN);
    expect(timeOutReason(t)).toBe('time_up');
  });

  it('started late: cut short by the window, and ends because the window closed', () => {
    const t = interviewTiming(
      { ...scheduled, startedAt: at('2026-03-09T10:25:00Z') },
      DEFAULT_WINDOW_SETTINGS,
      at('2026-03-09T10:41:00Z'),
    );
    expect(t.endsAt).toEqual(at('2026-03-09T10:40:00Z'));
    expect(t.state).toBe('closed');
    expect(t.remainingMs).toBe(0);
    expect(timeOutReason(t)).toBe('window_closed');
  });

  it('extra minutes granted lengthen the interview and move the window’s close', () => {
    const t = interviewTiming(
      { ...scheduled, extraMinutes: 15, startedAt: at('2026-03-09T10:00:00Z') },
      DEFAULT_WINDOW_SETTINGS,
      at('2026-03-09T10:30:00Z'),
    );
    expect(t.durationMs).toBe(45 * MIN);
    expect(t.window.closesAt).toEqual(at('2026-03-09T10:55:00Z'));
    expect(t.remainingMs).toBe(15 * MIN);
  });

  it('once started, agrees with remainingMs at every moment (property)', () => {
    const base = Date.parse('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        fc.integer({ min: 1, max: 240 }),
        fc.integer({ min: -10, max: 300 }),
        fc.integer({ min: 0, max: 400 * MIN }),
        (startMin, dur, startOffsetMin, elapsed) => {
          const scheduledStart = new Date(base + startMin * MIN);
          const scheduledEnd = new Date(scheduledStart.getTime() + dur * MIN);
          const startedAt = new Date(scheduledStart.getTime() + startOffsetMin * MIN);
          const now = new Date(startedAt.getTime() + elapsed);
          const t = interviewTiming(
            { scheduledStart, scheduledEnd, startedAt },
            DEFAULT_WINDOW_SETTINGS,
            now,
          );
          expect(t.remainingMs).toBe(remainingMs(now, startedAt, dur, t.window.closesAt));
          expect(timeOutReason(t)).toBe(
            startedAt.getTime() + dur * MIN >= t.window.closesAt.getTime() ? 'window_closed' : 'time_up',
          );
        },
      ),
    );
  });
});
