import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import {
  canJoin,
  DEFAULT_WINDOW_SETTINGS,
  interviewWindow,
  remainingMs,
  type TWindowSettings,
  type TWindowState,
  windowState,
} from '../../../src/domain/window.js';

const MIN = 60_000;
const at = (s: string) => new Date(s);
const start = at('2026-03-09T10:00:00Z');
const end = at('2026-03-09T10:30:00Z');
const RANK: Record<TWindowState, number> = { too_early: 0, lobby: 1, open: 2, closed: 3 };

describe('interviewWindow', () => {
  it('has the documented defaults: lobby 15 min before, join 5 min before, 10 min grace', () => {
    expect(DEFAULT_WINDOW_SETTINGS).toEqual({ lobbyOpensMinutes: 15, joinEarlyMinutes: 5, graceMinutes: 10 });
  });

  it('opens the lobby, joining and closing at the exact minutes', () => {
    const w = interviewWindow(start, end, DEFAULT_WINDOW_SETTINGS);
    expect(w.lobbyOpensAt.toISOString()).toBe('2026-03-09T09:45:00.000Z');
    expect(w.joinOpensAt.toISOString()).toBe('2026-03-09T09:55:00.000Z');
    expect(w.closesAt.toISOString()).toBe('2026-03-09T10:40:00.000Z');
  });

  it('opens the lobby together with joining when settings ask for a later lobby', () => {
    const w = interviewWindow(start, end, { lobbyOpensMinutes: 2, joinEarlyMinutes: 5, graceMinutes: 0 });
    expect(w.lobbyOpensAt.toISOString()).toBe('2026-03-09T09:55:00.000Z');
    expect(w.joinOpensAt.toISOString()).toBe('2026-03-09T09:55:00.000Z');
    expect(w.closesAt.toISOString()).toBe('2026-03-09T10:30:00.000Z');
    expect(windowState(at('2026-03-09T09:54:59.999Z'), w)).toBe('too_early');
    expect(windowState(at('2026-03-09T09:55:00Z'), w)).toBe('open');
  });

  it.each<[string, TWindowSettings]>([
    ['negative lobby', { lobbyOpensMinutes: -1, joinEarlyMinutes: 5, graceMinutes: 10 }],
    ['negative join', { lobbyOpensMinutes: 15, joinEarlyMinutes: -5, graceMinutes: 10 }],
    ['NaN grace', { lobbyOpensMinutes: 15, joinEarlyMinutes: 5, graceMinutes: Number.NaN }],
    [
      'infinite grace',
      { lobbyOpensMinutes: 15, joinEarlyMinutes: 5, graceMinutes: Number.POSITIVE_INFINITY },
    ],
  ])('rejects %s with invalid_input', (_name, s) => {
    expect(() => interviewWindow(start, end, s)).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('rejects an end before the start and invalid dates', () => {
    let err: unknown;
    try {
      interviewWindow(end, start, DEFAULT_WINDOW_SETTINGS);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'invalid_input')).toBe(true);
    expect(() => interviewWindow(new Date(Number.NaN), end, DEFAULT_WINDOW_SETTINGS)).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});

describe('windowState', () => {
  const w = interviewWindow(start, end, DEFAULT_WINDOW_SETTINGS);

  it.each<[string, TWindowState]>([
    ['2026-03-08T10:00:00.000Z', 'too_early'],
    ['2026-03-09T09:44:59.999Z', 'too_early'],
    ['2026-03-09T09:45:00.000Z', 'lobby'],
    ['2026-03-09T09:54:59.999Z', 'lobby'],
    ['2026-03-09T09:55:00.000Z', 'open'],
    ['2026-03-09T10:00:00.000Z', 'open'],
    ['2026-03-09T10:30:00.000Z', 'open'],
    ['2026-03-09T10:39:59.999Z', 'open'],
    ['2026-03-09T10:40:00.000Z', 'closed'],
    ['2026-03-10T10:00:00.000Z', 'closed'],
  ])('at %s the candidate sees %s', (now, state) => {
    expect(windowState(at(now), w)).toBe(state);
    expect(canJoin(at(now), w)).toBe(state === 'open');
  });
});

describe('remainingMs', () => {
  const closesAt = at('2026-03-09T10:40:00Z');

  it('counts down from the duration when the interview started on time', () => {
    expect(remainingMs(at('2026-03-09T10:00:00Z'), at('2026-03-09T10:00:00Z'), 30, closesAt)).toBe(30 * MIN);
    expect(remainingMs(at('2026-03-09T10:12:30Z'), at('2026-03-09T10:00:00Z'), 30, closesAt)).toBe(
      17.5 * MIN,
    );
  });

  it('is cut short by the window closing for a late start', () => {
    // Started at 10:25 for 30 minutes, but the window closes at 10:40.
    expect(remainingMs(at('2026-03-09T10:25:00Z'), at('2026-03-09T10:25:00Z'), 30, closesAt)).toBe(15 * MIN);
  });

  it('never goes below zero', () => {
    expect(remainingMs(at('2026-03-09T10:31:00Z'), at('2026-03-09T10:00:00Z'), 30, closesAt)).toBe(0);
    expect(remainingMs(at('2026-03-09T11:00:00Z'), at('2026-03-09T10:25:00Z'), 30, closesAt)).toBe(0);
    expect(remainingMs(at('2026-03-09T10:30:00Z'), at('2026-03-09T10:00:00Z'), 30, closesAt)).toBe(0);
  });
});

describe('window properties', () => {
  const base = Date.parse('2026-01-01T00:00:00Z');
  const arbStart = fc.integer({ min: 0, max: 365 * 24 * 60 }).map((m) => new Date(base + m * MIN));
  const arbSettings = fc.record({
    lobbyOpensMinutes: fc.integer({ min: 0, max: 120 }),
    joinEarlyMinutes: fc.integer({ min: 0, max: 120 }),
    graceMinutes: fc.integer({ min: 0, max: 120 }),
  });
  const arbDuration = fc.integer({ min: 1, max: 240 });

  it('orders lobby ≤ join ≤ start < end < close when grace is positive', () => {
    fc.assert(
      fc.property(arbStart, arbDuration, arbSettings, (s, dur, settings) => {
        const e = new Date(s.getTime() + dur * MIN);
        const w = interviewWindow(s, e, settings);
        expect(w.lobbyOpensAt.getTime()).toBeLessThanOrEqual(w.joinOpensAt.getTime());
        expect(w.joinOpensAt.getTime()).toBeLessThanOrEqual(s.getTime());
        expect(s.getTime()).toBeLessThan(e.getTime());
        expect(e.getTime()).toBeLessThanOrEqual(w.closesAt.getTime());
        if (settings.graceMinutes > 0) expect(e.getTime()).toBeLessThan(w.closesAt.getTime());
        expect(w.joinOpensAt.getTime()).toBe(s.getTime() - settings.joinEarlyMinutes * MIN);
        expect(w.closesAt.getTime()).toBe(e.getTime() + settings.graceMinutes * MIN);
      }),
    );
  });

  it('the state never goes backwards as time passes', () => {
    fc.assert(
      fc.property(
        arbStart,
        arbDuration,
        arbSettings,
        fc.integer({ min: -300 * MIN, max: 600 * MIN }),
        fc.integer({ min: 0, max: 600 * MIN }),
        (s, dur, settings, offset, step) => {
          const w = interviewWindow(s, new Date(s.getTime() + dur * MIN), settings);
          const t1 = new Date(s.getTime() + offset);
          const t2 = new Date(t1.getTime() + step);
          expect(RANK[windowState(t1, w)]).toBeLessThanOrEqual(RANK[windowState(t2, w)]);
        },
      ),
    );
  });

  it('the interview can be joined at its start and until just before it closes', () => {
    fc.assert(
      fc.property(arbStart, arbDuration, arbSettings, (s, dur, settings) => {
        const e = new Date(s.getTime() + dur * MIN);
        const w = interviewWindow(s, e, settings);
        expect(windowState(s, w)).toBe('open');
        expect(windowState(new Date(w.closesAt.getTime() - 1), w)).toBe('open');
        expect(windowState(w.closesAt, w)).toBe('closed');
        expect(windowState(new Date(w.lobbyOpensAt.getTime() - 1), w)).toBe('too_early');
      }),
    );
  });

  it('time left is within [0, duration], never increases, and is 0 once the window closes', () => {
    fc.assert(
      fc.property(
        arbStart,
        arbDuration,
        fc.integer({ min: -30 * MIN, max: 300 * MIN }),
        fc.integer({ min: 0, max: 300 * MIN }),
        fc.integer({ min: 0, max: 120 }),
        (startedAt, dur, offset, step, closeAfter) => {
          const closesAt = new Date(startedAt.getTime() + closeAfter * MIN);
          const t1 = new Date(startedAt.getTime() + Math.max(0, offset));
          const t2 = new Date(t1.getTime() + step);
          const r1 = remainingMs(t1, startedAt, dur, closesAt);
          const r2 = remainingMs(t2, startedAt, dur, closesAt);
          expect(r1).toBeGreaterThanOrEqual(0);
          expect(r1).toBeLessThanOrEqual(dur * MIN);
          expect(r2).toBeLessThanOrEqual(r1);
          if (t1.getTime() >= closesAt.getTime()) expect(r1).toBe(0);
          expect(r1).toBe(
            Math.max(0, Math.min(startedAt.getTime() + dur * MIN, closesAt.getTime()) - t1.getTime()),
          );
        },
      ),
    );
  });
});
