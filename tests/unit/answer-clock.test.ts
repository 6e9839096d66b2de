/**
 * The answer clock a Slack listener budgets its steps with: the steps of one request together never
 * run past the time its answer is due, and a step that no longer fits is not started.
 */
import { describe, expect, it } from 'vitest';
import { ANSWER_BUDGET_MS, ANSWER_BY, answerClock } from '../../src/bot/answer-clock.js';

describe('answerClock', () => {
  it('gives a step its own deadline while the request has time to spare', () => {
    const clock = answerClock({ [ANSWER_BY]: performance.now() + 2000 });
    expect(clock.allow(600, 500)).toBe(600);
  });

  it('shortens a step so that the reserve for the steps after it is kept', () => {
    const clock = answerClock({ [ANSWER_BY]: performance.now() + 900 });
    const ms = clock.allow(600, 500);
    expect(ms).toBeGreaterThan(350);
    expect(ms).toBeLessThanOrEqual(400);
  });

  it('says 0 (do not start it) when the step no longer fits, or the answer is already late', () => {
    expect(answerClock({ [ANSWER_BY]: performance.now() + 520 }).allow(600, 500)).toBe(0);
    const late = answerClock({ [ANSWER_BY]: performance.now() - 100 });
    expect(late.allow(600)).toBe(0);
    expect(late.left()).toBeLessThan(0);
  });

  it('counts from the listener start when no receiver stamped the request (Socket Mode)', () => {
    const clock = answerClock({});
    expect(clock.left()).toBeGreaterThan(ANSWER_BUDGET_MS - 50);
    expect(clock.left()).toBeLessThanOrEqual(ANSWER_BUDGET_MS);
  });
});
