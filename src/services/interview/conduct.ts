/**
 * The live interview's use cases. The database is the only state: every turn is
 * written before the next question goes out, so any process (or a reloaded tab)
 * can pick up from the last row. Every status change is one conditional update.
 */
import { AppError } from '../../domain/errors.js';
import { stripControlChars } from '../../domain/escape.js';
import type { TCompletionReason } from '../../domain/interview-state.js';
import { timeOutReason } from '../../domain/window.js';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import { sttOf, ttsOf } from '../../infra/ai/client.js';
import { chooseNext, decisionCall, failedCall, type TInterviewerCall } from '../../infra/ai/interviewer.js';
import { enqueueEvaluation as queueEvaluation } from '../../infra/queue/jobs/evaluation.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { transitionInterview } from '../lifecycle/transition-interview.js';
import { ensurePlan, readPlan, type TPlan } from './plan.js';
import { timingOf } from './session.js';

type TTurnRow = Awaited<ReturnType<PrismaClient['interviewTurn']['create']>>;

type TDeps = Pick<
  TServiceDeps,
  'prisma' | 'ai' | 'logger' | 'config' | 'now' | 'queues' | 'metrics' | 'onInterviewStatusChange'
>;

/** Longest typed or transcribed answer kept (about 20 minutes of speech). */
const MAX_ANSWER_CHARS = 20_000;
/** A follow-up is only worth asking with this much time left. */
const FOLLOW_UP_MIN_REMAINING_MS = 90_000;

/** Why a started interview ended (domain/interview-state.ts). */
export type TEndReason = TCompletionReason;

export type TTurnView = {
  seq: number;
  planIndex: number;
  isFollowUp: boolean;
  question: string;
  answerText: string | null;
  answerMode: string | null;
};

export type TSnapshot = {
  status: 'not_started' | 'in_progress' | 'completed';
  windowState: 'too_early' | 'lobby' | 'open' | 'closed';
  joinOpensAt: string;
  closesAt: string;
  startedAt: string | null;
  endsAt: string | null;
  remainingMs: number;
  durationMs: number;
  questionTotal: number;
  turns: TTurnView[];
  current: TTurnView | null;
  endReason: string | null;
};

function turnView(t: {
  seq: number;
  planIndex: number;
  isFollowUp: boolean;
  question: string;
  answerText: string | null;
  answerMode: string | null;
  transcriptPending?: boolean;
}): TTurnView {
  return {
    ...(t.transcriptPending ? { transcriptPending: true } : {}),
    seq: t.seq,
    planIndex: t.planIndex,
    isFollowUp: t.isFollowUp,
    question: t.question,
    answerText: t.answerText,
    answerMode: t.answerMode,
  };
}

/** What a snapshot reads of the interview itself (besides its turns). */
export type TSnapshotSource = {
  status: string;
  questionPlan: unknown;
  endReason: string | null;
  scheduledStart: Date;
  scheduledEnd: Date;
  startedAt: Date | null;
  extraMinutes?: number;
  role: { questionCount: number };
};

/**
 * Everything the room needs to draw itself: sent on every (re)connect. `known`: the
 * interview row as just read by the caller (only the turns are read then).
 */
export async function snapshot(
  deps: TDeps,
  interviewId: string,
  known?: TSnapshotSource,
): Promise<TSnapshot> {
  const interview = known
    ? {
        ...known,
        turns: await deps.prisma.interviewTurn.findMany({ where: { interviewId }, orderBy: { seq: 'asc' } }),
      }
    : await deps.prisma.interview.findUniqueOrThrow({
        where: { id: interviewId },
        include: { turns: { orderBy: { seq: 'asc' } }, role: { select: { questionCount: true } } },
      });
  const timing = timingOf(deps, interview);
  const plan = readPlan(interview.questionPlan);
  const turns = interview.turns.map(turnView);
  const last = turns.at(-1);
  const status =
    interview.status === 'scheduled'
      ? 'not_started'
      : interview.status === 'in_progress'
        ? 'in_progress'
        : 'completed';
  return {
    status,
    windowState: timing.state,
    joinOpensAt: timing.window.joinOpensAt.toISOString(),
    closesAt: timing.window.closesAt.toISOString(),
    startedAt: interview.startedAt?.toISOString() ?? null,
    endsAt: timing.endsAt?.toISOString() ?? null,
    remainingMs: timing.remainingMs,
    durationMs: timing.durationMs,
    questionTotal: plan?.length ?? interview.role.questionCount,
    turns,
    current: status === 'in_progress' && last && last.answerText === null ? last : null,
    endReason: interview.endReason,
  };
}

/**
 * Starts the interview (scheduled → in_progress) inside its window and asks the
 * first question. A second call (another tab, a retry) finds it started and
 * changes nothing. Returns whether this call started it (the greeting is said once).
 */
export async function startInterview(
  deps: TDeps,
  interviewId: string,
  consent: { consentVersion: number; mode: 'voice' | 'typed' } = { consentVersion: 1, mode: 'typed' },
): Promise<{ started: boolean }> {
  const interview = await deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
  const timing = timingOf(deps, interview);
  if (interview.status === 'in_progress') {
    await ensureOpenTurn(deps, interviewId);
    return { started: false };
  }
  if (interview.status !== 'scheduled')
    throw new AppError('invalid_state', 'This interview has already ended.');
  if (timing.state !== 'open') {
    throw new AppError(
      'outside_window',
      timing.state === 'closed' ? 'The time for this interview has passed.' : 'It is too early to start.',
    );
  }
  const plan = readPlan(interview.questionPlan) ?? (await ensurePlan(deps, interviewId));
  const now = deps.now();
  const isStarted = await transitionInterview(deps.prisma, interviewId, 'scheduled', 'in_progress', {
    startedAt: now,
  });
  if (isStarted) {
    await recordEvent(deps.prisma, {
      interviewId,
      type: 'interview.started',
      actor: 'candidate',
      // Consent to an AI-conducted, AI-evaluated interview, given in the lobby; and the models
      // that will hear and speak with the candidate (the audit names every model used).
      data: {
        consentVersion: consent.consentVersion,
        mode: consent.mode,
        models: {
          chat: deps.ai?.chatModel ?? null,
          speechToText: sttOf(deps.ai)?.model ?? null,
          textToSpeech: ttsOf(deps.ai)?.model ?? null,
        },
      },
    });
    await createTurn(deps, interviewId, { seq: 0, planIndex: 0, isFollowUp: false, plan });
    deps.onInterviewStatusChange?.(interviewId);
    return { started: true };
  }
  await ensureOpenTurn(deps, interviewId);
  return { started: false };
}

async function createTurn(
  deps: TDeps,
  interviewId: string,
  t: {
    seq: number;
    planIndex: number;
    isFollowUp: boolean;
    plan: TPlan;
    question?: string;
    decision?: TInterviewerCall | null;
  },
): Promise<TTurnRow | null> {
  const planned = t.plan[t.planIndex];
  // The audit's question source, written with the turn (no extra write on the live path).
  const source = t.isFollowUp
    ? 'follow_up'
    : planned?.origin === 'bank'
      ? 'fallback'
      : planned?.origin
        ? 'planned'
        : null;
  try {
    return await deps.prisma.interviewTurn.create({
      data: {
        interviewId,
        seq: t.seq,
        planIndex: t.planIndex,
        isFollowUp: t.isFollowUp,
        competency: planned?.competency ?? null,
        question: t.question ?? planned?.text ?? '',
        askedAt: deps.now(),
        source,
        ...(t.decision ? { decisionCall: t.decision } : {}),
      },
    });
  } catch (err) {
    // Another tab or process asked this turn first: theirs stands.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
    throw err;
  }
}

/**
 * After a crash between recording an answer and asking the next question, the
 * interview has no open turn: ask the next planned one (no model, no follow-up),
 * or end it when the plan is done. Does nothing while a question is open.
 */
export async function ensureOpenTurn(deps: TDeps, interviewId: string): Promise<void> {
  const last = await deps.prisma.interviewTurn.findFirst({
    where: { interviewId },
    orderBy: { seq: 'desc' },
  });
  if (last && last.answeredAt === null) return;
  const plan = await ensurePlan(deps, interviewId);
  const planIndex = last ? last.planIndex + 1 : 0;
  if (planIndex >= plan.length) {
    await finishInterview(deps, interviewId, 'finished');
    return;
  }
  await createTurn(deps, interviewId, { seq: last ? last.seq + 1 : 0, planIndex, isFollowUp: false, plan });
}

export type TAnswerInput = {
  seq: number;
  clientId: string;
  text: string;
  mode: 'voice' | 'typed' | 'skipped';
  audioDurationMs?: number | undefined;
  /** The browser connection sending it: an answer from a tab that lost the interview is refused. */
  connectionId?: string | undefined;
  /** A voice answer part of whose audio is not text yet (the server keeps retrying it). */
  transcriptPending?: boolean | undefined;
  /** A voice turn's latency marks so far (see InterviewTurn.latencyMarks). */
  latencyMarks?: Record<string, number> | undefined;
};

export type TAnswerResult =
  | { kind: 'next'; turn: TTurnView; total: number; remainingMs: number }
  | { kind: 'taken_over' }
  | { kind: 'completed'; reason: TEndReason }
  | { kind: 'duplicate' }
  | { kind: 'stale' };

type TInterviewRow = Awaited<ReturnType<typeof loadForAnswer>>;

function loadForAnswer(deps: TDeps, interviewId: string) {
  return deps.prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: { role: { select: { title: true } } },
  });
}

/** What the reply to an answer reads of its interview: the room may pass the row it holds. */
export type TAnswerInterview = Pick<
  TInterviewRow,
  'id' | 'questionPlan' | 'scheduledStart' | 'scheduledEnd' | 'startedAt' | 'extraMinutes'
> & { role: { title: string } };

export type TRecorded = { kind: 'recorded'; answered: TTurnRow; interview: TAnswerInterview; text: string };

/** What the follow-up decision reads: the answered turn, its interview and the answer's text. */
export type TDecisionContext = {
  interview: TAnswerInterview;
  answered: Pick<TTurnRow, 'isFollowUp' | 'question' | 'competency' | 'planIndex'>;
  text: string;
};

/**
 * Stores the answer to turn `seq` (the first step of submitAnswer). The same
 * submission twice (same clientId) is recorded once; an answer to a question
 * that is no longer open is ignored ('stale').
 */
export async function recordAnswer(
  deps: TDeps,
  interviewId: string,
  input: TAnswerInput,
  known?: TAnswerInterview,
): Promise<TRecorded | Exclude<TAnswerResult, { kind: 'next' }>> {
  if (known && input.connectionId !== undefined) {
    // The live room's path: one statement that stores the answer only while the interview is in
    // progress and this connection owns it, and returns the interview's timing as it is now.
    const recorded = await recordOwnedAnswer(deps, known, input);
    if (recorded) return recorded;
    // Not stored: the checks below say why (ended, taken over, duplicate, stale).
  }
  const interview = await loadForAnswer(deps, interviewId);
  if (interview.status !== 'in_progress') {
    if (
      interview.status === 'completed' ||
      interview.status === 'evaluated' ||
      interview.status === 'failed'
    ) {
      return { kind: 'completed', reason: (interview.endReason as TEndReason | null) ?? 'finished' };
    }
    throw new AppError('invalid_state', 'The interview has not started.');
  }
  if (input.connectionId !== undefined && interview.activeConnectionId !== input.connectionId) {
    return { kind: 'taken_over' };
  }
  const text = answerText(input);
  if (text === '' && input.mode === 'typed') {
    throw new AppError('invalid_input', 'The answer is empty. Type or say something, or skip the question.');
  }
  let answered: TTurnRow | null;
  try {
    answered = await deps.prisma.interviewTurn.update({
      where: { interviewId_seq: { interviewId, seq: input.seq }, answeredAt: null },
      data: {
        answerText: text,
        answerMode: input.mode,
        audioDurationMs: input.audioDurationMs === undefined ? null : Math.round(input.audioDurationMs),
        answerClientId: input.clientId,
        answeredAt: deps.now(),
        transcriptPending: input.transcriptPending ?? false,
        ...(input.latencyMarks ? { latencyMarks: input.latencyMarks } : {}),
      },
    });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError)) throw err;
    // P2002: this client id already answered another turn; P2025: the turn is not open.
    if (err.code === 'P2002') return { kind: 'duplicate' };
    if (err.code !== 'P2025') throw err;
    answered = null;
  }
  if (answered === null) {
    const same = await deps.prisma.interviewTurn.findFirst({
      where: { interviewId, answerClientId: input.clientId },
      select: { seq: true },
    });
    return same ? { kind: 'duplicate' } : { kind: 'stale' };
  }
  return { kind: 'recorded', answered, interview, text };
}

function answerText(input: TAnswerInput): string {
  return stripControlChars(input.text, { keepNewlines: true }).trim().slice(0, MAX_ANSWER_CHARS);
}

type TOwnedAnswerRow = TTurnRow & {
  ivScheduledStart: Date;
  ivScheduledEnd: Date;
  ivStartedAt: Date | null;
  ivExtraMinutes: number;
};

/**
 * recordAnswer's one-statement path: the turn is updated only if it is open, the interview in
 * progress and `input.connectionId` its owner. null when nothing was stored (or the client id
 * answered another turn already): the caller's checks then find out why.
 */
async function recordOwnedAnswer(
  deps: TDeps,
  known: TAnswerInterview,
  input: TAnswerInput,
): Promise<TRecorded | null> {
  const text = answerText(input);
  if (text === '' && input.mode === 'typed') return null;
  const marks = input.latencyMarks ? JSON.stringify(input.latencyMarks) : null;
  let rows: TOwnedAnswerRow[];
  try {
    rows = await deps.prisma.$queryRaw<TOwnedAnswerRow[]>`
      UPDATE "InterviewTurn" AS t
      SET "answerText" = ${text},
          "answerMode" = ${input.mode},
          "audioDurationMs" = ${input.audioDurationMs === undefined ? null : Math.round(input.audioDurationMs)}::int,
          "answerClientId" = ${input.clientId},
          "answeredAt" = ${deps.now()},
          "transcriptPending" = ${input.transcriptPending ?? false},
          "latencyMarks" = COALESCE(${marks}::jsonb, t."latencyMarks")
      FROM "Interview" AS i
      WHERE t."interviewId" = ${known.id}::uuid AND t."seq" = ${input.seq} AND t."answeredAt" IS NULL
        AND i."id" = t."interviewId" AND i."status" = 'in_progress'
        AND i."activeConnectionId" = ${input.connectionId ?? null}
      RETURNING t.*, i."scheduledStart" AS "ivScheduledStart", i."scheduledEnd" AS "ivScheduledEnd",
        i."startedAt" AS "ivStartedAt", i."extraMinutes" AS "ivExtraMinutes"`;
  } catch (err) {
    // The same client id on another turn (unique violation): the checks report the duplicate.
    if (isUniqueViolation(err)) return null;
    throw err;
  }
  const row = rows[0];
  if (!row) return null;
  const { ivScheduledStart, ivScheduledEnd, ivStartedAt, ivExtraMinutes, ...answered } = row;
  return {
    kind: 'recorded',
    answered,
    interview: {
      ...known,
      scheduledStart: ivScheduledStart,
      scheduledEnd: ivScheduledEnd,
      startedAt: ivStartedAt,
      extraMinutes: ivExtraMinutes,
    },
    text,
  };
}

function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  const meta = err.meta as
    | { code?: unknown; driverAdapterError?: { cause?: { kind?: unknown } } }
    | undefined;
  return meta?.code === '23505' || meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation';
}

/** What the follow-up decision needs, or null when no follow-up may be asked after this answer. */
export async function followUpInput(
  deps: TDeps,
  recorded: TDecisionContext,
  mode: TAnswerInput['mode'],
): Promise<Parameters<typeof chooseNext>[1] | null> {
  const { interview, answered, text } = recorded;
  const timing = timingOf(deps, interview);
  if (!deps.ai || answered.isFollowUp || mode === 'skipped' || text === '') return null;
  if (timing.remainingMs <= FOLLOW_UP_MIN_REMAINING_MS) return null;
  const plan = readPlan(interview.questionPlan) ?? (await ensurePlan(deps, interview.id));
  return {
    roleTitle: interview.role.title,
    question: answered.question,
    answer: text,
    competency: answered.competency,
    nextQuestion: plan[answered.planIndex + 1]?.text ?? null,
  };
}

/**
 * After a recorded answer: asks `followUp` (a question the model chose) or the
 * next planned question, or ends the interview when time or the plan is over.
 * `decision` is the audit's record of the follow-up decision's model call (null: none was made);
 * it is stored on the turn it chose, or with the completion when no turn follows.
 */
export async function askNext(
  deps: TDeps,
  recorded: TRecorded,
  followUp: string | null,
  decision: TInterviewerCall | null = null,
): Promise<TAnswerResult> {
  const { interview, answered } = recorded;
  const interviewId = interview.id;
  const timing = timingOf(deps, interview);
  if (timing.remainingMs <= 0) {
    const reason = timeOutReason(timing);
    await finishInterview(deps, interviewId, reason, decision);
    return { kind: 'completed', reason };
  }
  const plan = readPlan(interview.questionPlan) ?? (await ensurePlan(deps, interviewId));
  const nextPlanned = plan[answered.planIndex + 1] ?? null;
  if (followUp === null && nextPlanned === null) {
    await finishInterview(deps, interviewId, 'finished', decision);
    return { kind: 'completed', reason: 'finished' };
  }
  const next =
    followUp !== null
      ? {
          seq: answered.seq + 1,
          planIndex: answered.planIndex,
          isFollowUp: true,
          plan,
          question: followUp,
          decision,
        }
      : { seq: answered.seq + 1, planIndex: answered.planIndex + 1, isFollowUp: false, plan, decision };
  const turn =
    (await createTurn(deps, interviewId, next)) ??
    (await deps.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId, seq: answered.seq + 1 } },
    }));
  return {
    kind: 'next',
    turn: turnView(turn),
    total: plan.length,
    remainingMs: Math.max(0, (timing.endsAt?.getTime() ?? 0) - deps.now().getTime()),
  };
}

/**
 * Records the answer to turn `seq` and asks the next question (a follow-up or
 * the next planned one), with the follow-up decision made here (not streamed).
 */
export async function submitAnswer(
  deps: TDeps,
  interviewId: string,
  input: TAnswerInput,
): Promise<TAnswerResult> {
  const recorded = await recordAnswer(deps, interviewId, input);
  if (recorded.kind !== 'recorded') return recorded;
  const ask = await followUpInput(deps, recorded, input.mode);
  let followUp: string | null = null;
  let call: TInterviewerCall | null = null;
  if (ask && deps.ai) {
    try {
      const decision = await chooseNext(deps.ai, ask);
      if (decision.action === 'follow_up') followUp = decision.question;
      call = { ...decisionCall(deps.ai), outcome: decision.action };
    } catch (err) {
      // The model failing costs the follow-up, never the interview.
      call = failedCall(decisionCall(deps.ai), err);
      deps.logger.warn(
        { interviewId, err: { message: (err as Error).message } },
        'follow-up decision failed',
      );
    }
  }
  return askNext(deps, recorded, followUp, call);
}

/**
 * Ends the interview (in_progress → completed) exactly once and enqueues its
 * evaluation. Returns false when it had already ended. A call on an interview
 * that is already completed enqueues the evaluation again, which the job id
 * makes a no-op: so a finish whose enqueue failed (Redis down) is repaired by
 * the next finish, visit or message, and the evaluation is never lost.
 */
export async function finishInterview(
  deps: TDeps,
  interviewId: string,
  reason: TEndReason,
  lastDecision: TInterviewerCall | null = null,
): Promise<boolean> {
  const isFinished = await transitionInterview(deps.prisma, interviewId, 'in_progress', 'completed', {
    endedAt: deps.now(),
    endReason: reason,
    activeConnectionId: null,
  });
  if (!isFinished) {
    const row = await deps.prisma.interview.findUnique({
      where: { id: interviewId },
      select: { status: true },
    });
    if (row?.status === 'completed') await enqueueEvaluation(deps, interviewId);
    return false;
  }
  const turns = await deps.prisma.interviewTurn.findMany({
    where: { interviewId },
    select: { responseLatencyMs: true, answeredAt: true },
  });
  const latency = latencySummary(turns.map((t) => t.responseLatencyMs));
  await recordEvent(deps.prisma, {
    interviewId,
    type: 'interview.completed',
    actor: reason === 'finished' ? 'candidate' : 'system',
    data: {
      reason,
      answered: turns.filter((t) => t.answeredAt !== null).length,
      ...latency,
      // The follow-up decision made after the last answer, when no turn followed it (the audit).
      ...(lastDecision ? { lastDecision } : {}),
    },
  });
  deps.logger.info({ interviewId, reason }, 'interview completed');
  deps.onInterviewStatusChange?.(interviewId);
  await enqueueEvaluation(deps, interviewId);
  return true;
}

async function enqueueEvaluation(deps: TDeps, interviewId: string): Promise<void> {
  await queueEvaluation(deps.queues, { interviewId, version: 1, reason: 'completed' });
}

/** p50 / p95 of the recorded turn latencies (nearest rank), null without data. */
function latencySummary(values: Array<number | null>): {
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyTurns: number;
} {
  const xs = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const rank = (p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))] ?? null;
  return { latencyP50Ms: rank(0.5), latencyP95Ms: rank(0.95), latencyTurns: xs.length };
}

export const INTEGRITY_SIGNALS = ['tab_hidden', 'paste', 'long_silence'] as const;
export type TIntegritySignal = (typeof INTEGRITY_SIGNALS)[number];

/** Records a signal as an event (never a verdict). Only numbers are kept as data. */
export async function recordIntegritySignal(
  deps: TDeps,
  interviewId: string,
  signal: TIntegritySignal,
  data: { seq?: number | undefined; durationMs?: number | undefined; chars?: number | undefined },
): Promise<void> {
  const clean: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'number' && Number.isFinite(v)) clean[k] = Math.round(v);
  }
  await recordEvent(deps.prisma, {
    interviewId,
    type: `integrity.${signal}`,
    actor: 'candidate',
    data: clean,
  });
}

/** Makes `connectionId` the interview's owner; the previous tab learns it lost on its next message. */
export async function claimConnection(deps: TDeps, interviewId: string, connectionId: string): Promise<void> {
  await deps.prisma.interview.update({
    where: { id: interviewId },
    data: { activeConnectionId: connectionId },
  });
}

export async function isActiveConnection(
  deps: TDeps,
  interviewId: string,
  connectionId: string,
): Promise<boolean> {
  const row = await deps.prisma.interview.findUnique({
    where: { id: interviewId },
    select: { activeConnectionId: true, status: true },
  });
  return (
    row?.activeConnectionId === connectionId ||
    (row !== null && row.status !== 'in_progress' && row.status !== 'scheduled')
  );
}
