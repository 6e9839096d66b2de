import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideTurn, looksFinished, SILENCE_PROMPT_MS, turnWaits } from '../../src/domain/turn-taking.js';

const DEFAULT = 2500;

describe('looksFinished', () => {
  it.each([
    ['I led the migration of our billing service.', true],
    ['It worked!', true],
    ['Does that answer it?', true],
    ['We shipped it in March "on time."', true],
    ['I led the migration and then', false],
    ['I led the migration and then...', false],
    ['So', false],
    ['so.', false],
    ['Um.', false],
    ['We tried it, and.', false],
    ['We moved the queue to', false],
    ['We moved the queue,', false],
    ['We moved the queue', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(looksFinished(text)).toBe(expected);
  });
});

describe('decideTurn at the default pause setting', () => {
  const at = (silenceMs: number, text: string | null) =>
    decideTurn({ hasSpeech: true, silenceMs, text, pauseSettingMs: DEFAULT, prompted: false });

  it('a finished sentence ends after one second of pause', () => {
    expect(at(900, 'That is how we did it.')).toEqual({ action: 'wait', recheckInMs: 100 });
    expect(at(1000, 'That is how we did it.')).toEqual({ action: 'end', finished: true });
  });

  it('a 2 s pause mid-sentence (or before the tail is transcribed) never ends the answer', () => {
    for (const text of ['and then', 'so', 'um', 'We moved the queue to', null]) {
      expect(at(2000, text).action).toBe('wait');
      expect(at(4999, text).action).toBe('wait');
    }
    expect(at(5000, 'and then')).toEqual({ action: 'end', finished: false });
  });

  it('no words yet: a gentle prompt once after a long silence, never an end', () => {
    const silent = (silenceMs: number, prompted: boolean) =>
      decideTurn({ hasSpeech: false, silenceMs, text: null, pauseSettingMs: DEFAULT, prompted });
    expect(silent(SILENCE_PROMPT_MS - 1, false).action).toBe('wait');
    expect(silent(SILENCE_PROMPT_MS, false)).toEqual({ action: 'prompt' });
    expect(silent(10 * SILENCE_PROMPT_MS, true).action).toBe('wait');
  });
});

describe('the pause setting', () => {
  it('longer settings wait longer, and an unfinished sentence always waits longer than a finished one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 20_000 }), fc.integer({ min: 500, max: 20_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const wl = turnWaits(lo);
        const wh = turnWaits(hi);
        expect(wh.finishedMs).toBeGreaterThanOrEqual(wl.finishedMs);
        expect(wh.unfinishedMs).toBeGreaterThanOrEqual(wl.unfinishedMs);
        expect(wl.unfinishedMs).toBeGreaterThan(wl.finishedMs);
        expect(wl.finishedMs).toBeGreaterThanOrEqual(800);
      }),
    );
  });

  it('the settings offered in the room', () => {
    expect(turnWaits(1200)).toEqual({ finishedMs: 800, unfinishedMs: 4000 });
    expect(turnWaits(2500)).toEqual({ finishedMs: 1000, unfinishedMs: 5000 });
    expect(turnWaits(10_000)).toEqual({ finishedMs: 4000, unfinishedMs: 20_000 });
  });
});
