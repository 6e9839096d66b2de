/**
 * The audit record of one interview: what the candidate was told and agreed to, each question
 * with where it came from, every model call with its model id and prompt and rubric versions,
 * the quotes each score rests on (with their turn), the quotes and parts of the model's answers
 * that were set aside, integrity signals, every decision with who and when, and every event in
 * the log. One JSON document; the HTML page and the admin's JSON-lines export are views of it.
 * Holds no answer text beyond the quotes, no email address, no session key.
 */
import { currentDecision, DECISION_EVENT_TYPES } from '../../domain/decision.js';
import { AppError } from '../../domain/errors.js';
import type { TEvaluationResult } from '../../domain/evaluation/result.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { TInterviewerCall } from '../../infra/ai/interviewer.js';

export const AUDIT_FORMAT = 'panelist.interview-audit/1';

export type TQuestionSource = 'planned' | 'follow_up' | 'fallback';

export type TInterviewAudit = {
  format: typeof AUDIT_FORMAT;
  interviewId: string;
  generatedAt: string;
  interview: {
    role: { id: string; title: string };
    status: string;
    scheduledStart: string;
    scheduledEnd: string;
    startedAt: string | null;
    endedAt: string | null;
    endReason: string | null;
    extraMinutes: number;
    typedAnswersOnly: boolean;
    aiOptOutAt: string | null;
    redactedAt: string | null;
  };
  notice: {
    version: string | null;
    /** Emails that carried the notice (the invite and its updates), with when they were sent. */
    deliveries: Array<{ kind: string; revision: number; status: string; sentAt: string | null }>;
  };
  consent: { version: number | null; mode: string | null; at: string } | null;
  /** The models configured when the interview started: the chat model, speech-to-text, text-to-speech. */
  models: { chat: string | null; speechToText: string | null; textToSpeech: string | null } | null;
  questions: Array<{
    turn: number;
    planIndex: number;
    source: TQuestionSource;
    competency: string | null;
    question: string;
    askedAt: string;
    answered: boolean;
    answerMode: string | null;
    answeredAt: string | null;
  }>;
  /** Where the question plan came from: the model, the role's own questions, or the built-in bank (fallback). */
  questionPlanSource: 'model' | 'role' | 'built_in' | 'unknown';
  /**
   * Every model call, oldest first: the question plan, each follow-up decision (`turn`: the
   * answer it followed), each evaluation. `outcome`: ok | follow_up | next | failed for the
   * interviewer's calls, the evaluation's status for an evaluation.
   */
  modelCalls: Array<{
    purpose: 'question_plan' | 'follow_up_decision' | 'evaluation';
    model: string | null;
    promptVersion: string | null;
    rubricVersion: string | null;
    outcome: string;
    error: string | null;
    at: string;
    /** follow_up_decision: the turn whose answer it decided on. */
    afterTurn?: number;
    /** follow_up_decision: calls made on guesses of the answer while it was being given. */
    guesses?: number;
    /** evaluation: its version and how many model calls it took. */
    evaluationVersion?: number;
    calls?: number;
  }>;
  evaluations: Array<{
    version: number;
    status: string;
    recommendation: string | null;
    confidence: string | null;
    postedAt: string | null;
    competencies: Array<{
      key: string;
      name: string;
      status: string;
      score: number | null;
      reason: string | null;
      quotes: Array<{ quote: string; turn: number }>;
    }>;
    droppedQuotes: string[];
    discarded: TEvaluationResult['discarded'] | null;
    flags: unknown[];
  }>;
  integrity: Array<{ type: string; at: string }>;
  decisions: Array<{
    action: 'advance' | 'decline' | 'undo';
    by: string;
    at: string;
    reason: string | null;
    evaluationVersion: number | null;
  }>;
  /** The decision standing now (null: none). */
  decision: { outcome: string; by: string; at: string } | null;
  /** Every event in the log for this interview, oldest first. */
  events: Array<{ id: string; type: string; actor: string; at: string; data: unknown }>;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function field(data: unknown, key: string): unknown {
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
}

/** An interviewer's call record as stored (event data or a turn's column), or undefined if it is not one. */
function interviewerCall(value: unknown): TInterviewerCall | undefined {
  const purpose = field(value, 'purpose');
  const model = field(value, 'model');
  return (purpose === 'question_plan' || purpose === 'follow_up_decision') && typeof model === 'string'
    ? (value as TInterviewerCall)
    : undefined;
}

type TModelCall = TInterviewAudit['modelCalls'][number];

function callEntry(call: TInterviewerCall, at: Date, afterTurn?: number): TModelCall {
  return {
    purpose: call.purpose,
    model: call.model,
    promptVersion: call.promptVersion,
    rubricVersion: call.rubricVersion,
    outcome: call.outcome,
    error: call.error ?? null,
    at: at.toISOString(),
    ...(afterTurn !== undefined ? { afterTurn } : {}),
    ...(call.guesses ? { guesses: call.guesses } : {}),
  };
}

const ACTIONS: Record<string, 'advance' | 'decline' | 'undo'> = {
  [DECISION_EVENT_TYPES.advance]: 'advance',
  [DECISION_EVENT_TYPES.decline]: 'decline',
  [DECISION_EVENT_TYPES.undo]: 'undo',
};

/** The audit record of one interview; `not_found` when there is no such interview. */
export async function buildInterviewAudit(
  deps: { prisma: PrismaClient; now: () => Date },
  interviewId: string,
): Promise<TInterviewAudit> {
  const interview = await deps.prisma.interview.findUnique({
    where: { id: interviewId },
    include: {
      role: { select: { id: true, title: true } },
      turns: { orderBy: { seq: 'asc' } },
      evaluations: { orderBy: { version: 'asc' } },
      emails: { orderBy: { createdAt: 'asc' } },
      events: { orderBy: { id: 'asc' } },
    },
  });
  if (!interview) throw new AppError('not_found', 'That interview was not found.', { interviewId });
  const events = interview.events;
  const started = events.find((e) => e.type === 'interview.started');
  const planEvent = events.find((e) => e.type === 'interview.plan_prepared');
  const planSource = field(planEvent?.data, 'source');
  const questionPlanSource =
    planSource === 'model' || planSource === 'role' || planSource === 'built_in' ? planSource : 'unknown';
  const decisionEvents = events.filter((e) => e.type in ACTIONS);
  const standing = currentDecision(decisionEvents);
  const startedModels = field(started?.data, 'models');
  const modelName = (key: string) => {
    const v = field(startedModels, key);
    return typeof v === 'string' ? v : null;
  };

  // The interviewer's calls: the plan's (stored with the plan's events), each follow-up decision
  // (stored on the turn it chose, or with the completion when none followed).
  const modelCalls: TModelCall[] = [];
  for (const e of events) {
    const call =
      interviewerCall(field(e.data, 'modelCall')) ?? interviewerCall(field(e.data, 'lastDecision'));
    if (call)
      modelCalls.push(
        callEntry(
          call,
          e.createdAt,
          call.purpose === 'follow_up_decision' ? interview.turns.length : undefined,
        ),
      );
  }
  for (const t of interview.turns) {
    const call = interviewerCall(t.decisionCall);
    // The decision was made on the answer to the turn before this one (turn numbers are seq + 1).
    if (call) modelCalls.push(callEntry(call, t.askedAt, t.seq));
  }
  for (const e of interview.evaluations) {
    if (e.model === null && e.attempts === 0) continue;
    const result = e.result as TEvaluationResult | null;
    // Too little was said to score: no model was asked (the evaluation section says so).
    if (result?.kind === 'scored' && result.modelCalls === 0) continue;
    modelCalls.push({
      purpose: 'evaluation',
      model: e.model,
      promptVersion: e.promptVersion,
      rubricVersion: e.rubricVersion,
      outcome: e.status,
      error: e.error,
      at: e.updatedAt.toISOString(),
      evaluationVersion: e.version,
      calls: result?.kind === 'scored' ? result.modelCalls : e.attempts,
    });
  }
  modelCalls.sort((a, b) => a.at.localeCompare(b.at));

  return {
    format: AUDIT_FORMAT,
    interviewId: interview.id,
    generatedAt: deps.now().toISOString(),
    interview: {
      role: interview.role,
      status: interview.status,
      scheduledStart: interview.scheduledStart.toISOString(),
      scheduledEnd: interview.scheduledEnd.toISOString(),
      startedAt: iso(interview.startedAt),
      endedAt: iso(interview.endedAt),
      endReason: interview.endReason,
      extraMinutes: interview.extraMinutes,
      typedAnswersOnly: interview.typedAnswersOnly,
      aiOptOutAt: iso(interview.aiOptOutAt),
      redactedAt: iso(interview.redactedAt),
    },
    notice: {
      version: interview.noticeVersion,
      deliveries: interview.emails
        .filter((m) => m.kind === 'invite' || m.kind === 'update')
        .map((m) => ({ kind: m.kind, revision: m.revision, status: m.status, sentAt: iso(m.sentAt) })),
    },
    consent: started
      ? {
          version:
            typeof field(started.data, 'consentVersion') === 'number'
              ? (field(started.data, 'consentVersion') as number)
              : null,
          mode:
            typeof field(started.data, 'mode') === 'string' ? (field(started.data, 'mode') as string) : null,
          at: started.createdAt.toISOString(),
        }
      : null,
    models: started
      ? {
          chat: modelName('chat'),
          speechToText: modelName('speechToText'),
          textToSpeech: modelName('textToSpeech'),
        }
      : null,
    questions: interview.turns.map((t) => ({
      turn: t.seq + 1,
      planIndex: t.planIndex,
      source:
        t.source === 'planned' || t.source === 'follow_up' || t.source === 'fallback'
          ? t.source
          : // Turns asked before the source was stored: told from the plan's source.
            t.isFollowUp
            ? 'follow_up'
            : questionPlanSource === 'built_in'
              ? 'fallback'
              : 'planned',
      competency: t.competency,
      question: t.question,
      askedAt: t.askedAt.toISOString(),
      answered: t.answerText !== null && t.answerText.trim() !== '',
      answerMode: t.answerMode,
      answeredAt: iso(t.answeredAt),
    })),
    questionPlanSource,
    modelCalls,
    evaluations: interview.evaluations.map((e) => {
      const r = e.result as (TEvaluationResult & { kind?: string }) | null;
      const scored = r?.kind === 'scored' ? r : null;
      return {
        version: e.version,
        status: e.status,
        recommendation: scored?.recommendation ?? null,
        confidence: scored?.confidence ?? null,
        postedAt: iso(e.postedAt),
        competencies: (scored?.competencies ?? []).map((c) => ({
          key: c.key,
          name: c.name,
          status: c.status,
          score: c.status === 'scored' ? c.score : null,
          reason: c.status === 'scored' ? null : c.reason,
          quotes: c.status === 'scored' ? c.evidence.map((q) => ({ quote: q.quote, turn: q.seq + 1 })) : [],
        })),
        droppedQuotes: scored?.droppedQuotes ?? [],
        discarded: scored?.discarded ?? null,
        flags: scored?.flags ?? [],
      };
    }),
    integrity: events
      .filter((e) => e.type.startsWith('integrity.'))
      .map((e) => ({ type: e.type, at: e.createdAt.toISOString() })),
    decisions: decisionEvents.map((e) => {
      const reason = field(e.data, 'reason');
      const version = field(e.data, 'evaluationVersion');
      return {
        action: ACTIONS[e.type] ?? 'undo',
        by: e.actor,
        at: e.createdAt.toISOString(),
        reason: typeof reason === 'string' ? reason : null,
        evaluationVersion: typeof version === 'number' ? version : null,
      };
    }),
    decision: standing
      ? { outcome: standing.outcome, by: `slack:${standing.userId}`, at: standing.at.toISOString() }
      : null,
    events: events.map((e) => ({
      id: e.id.toString(),
      type: e.type,
      actor: e.actor,
      at: e.createdAt.toISOString(),
      data: e.data,
    })),
  };
}

/**
 * The audit records of every interview scheduled within [from, to) (UTC), oldest first, in
 * pages so a long range never holds more than one page in memory.
 */
export async function* auditsInRange(
  deps: { prisma: PrismaClient; now: () => Date },
  range: { from: Date; to: Date },
  pageSize = 100,
): AsyncGenerator<TInterviewAudit> {
  let cursor: { scheduledStart: Date; id: string } | undefined;
  for (;;) {
    const page = await deps.prisma.interview.findMany({
      where: {
        scheduledStart: { gte: range.from, lt: range.to },
        ...(cursor
          ? {
              OR: [
                { scheduledStart: { gt: cursor.scheduledStart } },
                { scheduledStart: cursor.scheduledStart, id: { gt: cursor.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ scheduledStart: 'asc' }, { id: 'asc' }],
      take: pageSize,
      select: { id: true, scheduledStart: true },
    });
    for (const row of page) yield await buildInterviewAudit(deps, row.id);
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    cursor = last;
  }
}
