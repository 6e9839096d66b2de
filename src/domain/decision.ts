/**
 * The hiring team's decision on an interview: a person advances or declines the candidate, and
 * may undo it. The AI's recommendation never decides. The decision lives in the event log as
 * `decision.advanced`, `decision.declined` and `decision.undone`; the current one is read back
 * from those events. Pure.
 */

export const DECISION_EVENT_TYPES = {
  advance: 'decision.advanced',
  decline: 'decision.declined',
  undo: 'decision.undone',
} as const;

export type TDecisionAction = keyof typeof DECISION_EVENT_TYPES;
export type TDecisionOutcome = 'advanced' | 'declined';

export const DECISION_LABELS: Readonly<Record<TDecisionOutcome, string>> = {
  advanced: 'Advanced',
  declined: 'Declined',
};

/** A decision event as stored (actor "slack:U123"). */
export type TDecisionEvent = {
  type: string;
  actor: string;
  createdAt: Date;
  data: unknown;
};

export type TCurrentDecision = {
  outcome: TDecisionOutcome;
  /** Slack user id of the person who decided. */
  userId: string;
  at: Date;
  reason: string | null;
  /** The evaluation version shown when they decided (null: decided without one). */
  evaluationVersion: number | null;
};

function fieldOf(data: unknown, key: string): unknown {
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
}

/** The decision standing after these events (oldest first), or null when none stands. */
export function currentDecision(events: readonly TDecisionEvent[]): TCurrentDecision | null {
  let current: TCurrentDecision | null = null;
  for (const e of events) {
    if (e.type === DECISION_EVENT_TYPES.undo) current = null;
    else if (e.type === DECISION_EVENT_TYPES.advance || e.type === DECISION_EVENT_TYPES.decline) {
      const reason = fieldOf(e.data, 'reason');
      const version = fieldOf(e.data, 'evaluationVersion');
      current = {
        outcome: e.type === DECISION_EVENT_TYPES.advance ? 'advanced' : 'declined',
        userId: e.actor.replace(/^slack:/, ''),
        at: e.createdAt,
        reason: typeof reason === 'string' && reason.trim() !== '' ? reason : null,
        evaluationVersion: typeof version === 'number' ? version : null,
      };
    }
  }
  return current;
}

/**
 * Whether `action` changes the standing decision. A second Advance while advanced, a second
 * Decline while declined, and an Undo with nothing standing change nothing (so two clicks record
 * once). Advance while declined (or the reverse) is refused: undo first, so every change of mind
 * is visible in the log as its own step.
 */
export function decide(
  current: TCurrentDecision | null,
  action: TDecisionAction,
): { kind: 'record' } | { kind: 'unchanged' } | { kind: 'refused'; reason: string } {
  if (action === 'undo') return current ? { kind: 'record' } : { kind: 'unchanged' };
  const wanted: TDecisionOutcome = action === 'advance' ? 'advanced' : 'declined';
  if (!current) return { kind: 'record' };
  if (current.outcome === wanted) return { kind: 'unchanged' };
  return {
    kind: 'refused',
    reason: `This candidate is already ${current.outcome}. Undo that decision first, then decide again.`,
  };
}

/** Interview states in which a person can decide: the interview is over. */
export const DECIDABLE_STATUSES = ['completed', 'evaluated', 'failed'] as const;

/** Longest reason kept with a decision. */
export const DECISION_REASON_MAX = 1000;
