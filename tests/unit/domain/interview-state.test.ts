import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import {
  assertTransition,
  canTransition,
  INTERVIEW_STATUSES,
  isCancellable,
  isInterviewStatus,
  isReschedulable,
  isTerminal,
  type TInterviewStatus,
  TRANSITIONS,
  transitionSources,
  ZInterviewStatus,
} from '../../../src/domain/interview-state.js';

const ALLOWED = new Set([
  'scheduled→in_progress',
  'scheduled→cancelled',
  'scheduled→expired',
  'in_progress→completed',
  'completed→evaluated',
  'completed→failed',
  'failed→evaluated',
  'evaluated→evaluated',
]);

describe('interview state machine', () => {
  it('lists the seven statuses in order', () => {
    expect(INTERVIEW_STATUSES).toEqual([
      'scheduled',
      'in_progress',
      'completed',
      'evaluated',
      'cancelled',
      'expired',
      'failed',
    ]);
  });

  const pairs = INTERVIEW_STATUSES.flatMap((from) => INTERVIEW_STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s is allowed only if listed', (from, to) => {
    const allowed = ALLOWED.has(`${from}→${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    expect(TRANSITIONS[from].includes(to)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      let err: unknown;
      try {
        assertTransition(from, to);
      } catch (e) {
        err = e;
      }
      expect(isAppError(err, 'invalid_state')).toBe(true);
    }
  });

  it('terminal: cancelled, expired and evaluated; failed can still be re-evaluated', () => {
    expect(INTERVIEW_STATUSES.filter(isTerminal)).toEqual(['evaluated', 'cancelled', 'expired']);
  });

  it('only a scheduled interview can be cancelled or rescheduled by a recruiter', () => {
    expect(INTERVIEW_STATUSES.filter(isCancellable)).toEqual(['scheduled']);
    expect(INTERVIEW_STATUSES.filter(isReschedulable)).toEqual(['scheduled']);
  });

  it('every status is reachable from scheduled', () => {
    const seen = new Set<TInterviewStatus>(['scheduled']);
    const queue: TInterviewStatus[] = ['scheduled'];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const next of TRANSITIONS[s]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...INTERVIEW_STATUSES].sort());
  });

  it('nothing leads back to scheduled or in_progress (property: random walks only move forward)', () => {
    const order: Record<TInterviewStatus, number> = {
      scheduled: 0,
      in_progress: 1,
      completed: 2,
      failed: 3,
      evaluated: 4,
      cancelled: 4,
      expired: 4,
    };
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (choices) => {
        let s: TInterviewStatus = 'scheduled';
        for (const c of choices) {
          const options: readonly TInterviewStatus[] = TRANSITIONS[s];
          if (options.length === 0) break;
          const next: TInterviewStatus = options[c % options.length]!;
          expect(order[next]).toBeGreaterThanOrEqual(order[s]);
          expect(canTransition(s, next)).toBe(true);
          s = next;
        }
      }),
    );
  });

  it('recognises statuses from untrusted input', () => {
    expect(isInterviewStatus('scheduled')).toBe(true);
    expect(isInterviewStatus('Scheduled')).toBe(false);
    expect(isInterviewStatus('deleted')).toBe(false);
    expect(isInterviewStatus(1)).toBe(false);
    expect(ZInterviewStatus.parse('completed')).toBe('completed');
    expect(ZInterviewStatus.safeParse('done').success).toBe(false);
  });
});

describe('transitionSources', () => {
  it('lists the statuses a conditional update may move from, and refuses a move the table forbids', () => {
    expect(transitionSources('scheduled', 'cancelled')).toEqual(['scheduled']);
    expect(transitionSources(['completed', 'failed', 'evaluated'], 'evaluated')).toEqual([
      'completed',
      'failed',
      'evaluated',
    ]);
    for (const bad of [
      () => transitionSources('in_progress', 'cancelled'),
      () => transitionSources(['completed', 'scheduled'], 'evaluated'),
      () => transitionSources([], 'evaluated'),
    ]) {
      let err: unknown;
      try {
        bad();
      } catch (e) {
        err = e;
      }
      expect(isAppError(err, 'invalid_state')).toBe(true);
    }
  });
});
