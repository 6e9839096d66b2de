/**
 * Data retention and deletion on request. Redacting an interview removes what a candidate said and
 * what was said about them: the questions and answers of the transcript, the question plan, the
 * recruiter's notes, and the words in evaluations (rationales, quotes, strengths, concerns,
 * summary), keeping the scores, the recommendation and the dates so reporting still works. When
 * none of a candidate's interviews holds data any more, their name and email are replaced by a
 * placeholder. Audio is never stored (it is transcribed and dropped), so there is none to delete.
 *
 * Every step is a conditional update (`redactedAt: null`), so two runs at once, or a retried job,
 * redact each interview once and record one `data.deleted` event for it. An interview on legal
 * hold (`legalHoldAt`) is skipped until an admin releases it. The Slack messages Panelist posted
 * about a redacted interview are edited afterwards by services/candidate/slack-redaction.ts.
 */
import { Prisma } from '../generated/prisma/client.js';
import { deleteCandidateTraces } from './candidate-traces.js';
import type { TServiceDeps } from './deps.js';
import { recordEvent } from './events.js';

/** The queue (and a logger) let deletion also remove the candidate's jobs; without them it is skipped. */
type TDeps = Pick<TServiceDeps, 'prisma' | 'now' | 'config'> &
  Partial<Pick<TServiceDeps, 'queues' | 'logger'>>;

export const DELETED_TEXT = '[deleted]';
export const DELETED_NAME = 'Deleted candidate';

/** A placeholder address that is unique per candidate (email is unique) and can never be delivered. */
export function deletedEmail(candidateId: string): string {
  return `deleted-${candidateId}@redacted.invalid`;
}

type TDeletionReason = 'retention' | 'request';

/** Interviews in these states are over: nothing will read or write their transcript again. */
const FINISHED = ['completed', 'evaluated', 'cancelled', 'expired', 'failed'] as const;
const BATCH = 100;

/** The scores and labels of an evaluation result, without any text that could quote the candidate. */
function redactResult(result: Prisma.JsonValue | null): Prisma.InputJsonValue | undefined {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const r = result as Record<string, unknown>;
  const competencies = Array.isArray(r.competencies)
    ? r.competencies.map((c) => {
        const comp = (c ?? {}) as Record<string, unknown>;
        return { key: comp.key ?? null, score: comp.score ?? null, rationale: DELETED_TEXT, evidence: [] };
      })
    : [];
  return {
    ...r,
    competencies,
    strengths: [],
    concerns: [],
    summary: DELETED_TEXT,
    injection_attempts: [],
    redacted: true,
  } as Prisma.InputJsonValue;
}

/**
 * Redacts one interview if it is not redacted yet. Returns false when another run got there first.
 */
async function redactInterview(
  deps: TDeps,
  interviewId: string,
  reason: TDeletionReason,
  actor: string,
): Promise<boolean> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    // An interview on legal hold is kept, whoever asks (services/candidate/deletion.ts).
    const claimed = await tx.interview.updateMany({
      where: { id: interviewId, redactedAt: null, legalHoldAt: null },
      data: { redactedAt: now, notes: '', questionPlan: Prisma.DbNull },
    });
    if (claimed.count === 0) return false;
    const turns = await tx.interviewTurn.updateMany({
      where: { interviewId },
      data: { question: DELETED_TEXT, answerText: null, competency: null },
    });
    // The candidate's own words in their requests, and their self-identification (issue 14).
    await tx.candidateRequest.updateMany({ where: { interviewId }, data: { text: '' } });
    await tx.selfIdentification.deleteMany({ where: { interviewId } });
    const evaluations = await tx.evaluation.findMany({
      where: { interviewId },
      select: { id: true, result: true },
    });
    for (const e of evaluations) {
      const result = redactResult(e.result);
      await tx.evaluation.update({
        where: { id: e.id },
        data: { ...(result === undefined ? {} : { result }), error: null },
      });
    }
    await recordEvent(tx, {
      interviewId,
      type: 'data.deleted',
      actor,
      data: { reason, turns: turns.count, evaluations: evaluations.length },
    });
    return true;
  });
}

/**
 * Replaces a candidate's name and email once none of their interviews holds data any more, and
 * removes what they left outside their rows (booking requests, queue jobs, Outbox emails).
 */
async function redactCandidateIfDone(deps: TDeps, candidateId: string): Promise<boolean> {
  const open = await deps.prisma.interview.count({ where: { candidateId, redactedAt: null } });
  if (open > 0) return false;
  const placeholder = deletedEmail(candidateId);
  const candidate = await deps.prisma.candidate.findUnique({
    where: { id: candidateId },
    select: { email: true, interviews: { select: { id: true } } },
  });
  if (candidate && candidate.email !== placeholder && deps.queues) {
    await deleteCandidateTraces(
      { ...deps, queues: deps.queues },
      { email: candidate.email, interviewIds: candidate.interviews.map((i) => i.id) },
    );
  }
  const updated = await deps.prisma.candidate.updateMany({
    where: { id: candidateId, NOT: { email: placeholder } },
    data: { name: DELETED_NAME, email: placeholder },
  });
  return updated.count > 0;
}

/**
 * The retention task: redacts finished interviews whose slot ended more than `retentionDays` ago.
 * Runs in batches until nothing is left, so one daily run catches up after downtime.
 */
export async function applyRetention(deps: TDeps): Promise<{ interviews: number; candidates: number }> {
  const cutoff = new Date(deps.now().getTime() - deps.config.retentionDays * 24 * 3600_000);
  let interviews = 0;
  let candidates = 0;
  const seen = new Set<string>();
  for (;;) {
    const due = await deps.prisma.interview.findMany({
      where: {
        redactedAt: null,
        legalHoldAt: null,
        status: { in: [...FINISHED] },
        scheduledEnd: { lt: cutoff },
        id: { notIn: [...seen] },
      },
      select: { id: true, candidateId: true },
      orderBy: { scheduledEnd: 'asc' },
      take: BATCH,
    });
    if (due.length === 0) break;
    for (const i of due) {
      seen.add(i.id);
      if (await redactInterview(deps, i.id, 'retention', 'system')) interviews++;
      if (await redactCandidateIfDone(deps, i.candidateId)) candidates++;
    }
  }
  return { interviews, candidates };
}

export type TCandidateDeletion =
  | { outcome: 'not_found' }
  | { outcome: 'has_active'; active: number }
  | { outcome: 'deleted'; interviews: number };

/** What a deletion request would touch, for the confirmation dialog. */
export async function describeCandidate(
  deps: Pick<TServiceDeps, 'prisma'>,
  email: string,
): Promise<{ id: string; name: string; interviews: number; active: number } | undefined> {
  const candidate = await deps.prisma.candidate.findUnique({
    where: { email: email.toLowerCase() },
    select: { id: true, name: true, interviews: { select: { status: true, redactedAt: true } } },
  });
  if (!candidate) return undefined;
  return {
    id: candidate.id,
    name: candidate.name,
    interviews: candidate.interviews.length,
    active: candidate.interviews.filter((i) => i.status === 'scheduled' || i.status === 'in_progress').length,
  };
}

/**
 * Deletes one candidate's data at their request: every interview redacted and the name and email
 * replaced, recorded in the event log with who asked. Upcoming or running interviews must be
 * cancelled first (the recruiter is told), so nothing is deleted under a live interview.
 */
export async function deleteCandidateData(
  deps: TDeps,
  input: { candidateId: string; requestedBy: string },
): Promise<TCandidateDeletion> {
  const interviews = await deps.prisma.interview.findMany({
    // Interviews on legal hold stay (and so do the name and email they need).
    where: { candidateId: input.candidateId, legalHoldAt: null },
    select: { id: true, status: true },
  });
  const exists = await deps.prisma.candidate.count({ where: { id: input.candidateId } });
  if (exists === 0) return { outcome: 'not_found' };
  const active = interviews.filter((i) => i.status === 'scheduled' || i.status === 'in_progress').length;
  if (active > 0) return { outcome: 'has_active', active };
  let count = 0;
  for (const i of interviews) if (await redactInterview(deps, i.id, 'request', input.requestedBy)) count++;
  await redactCandidateIfDone(deps, input.candidateId);
  if (interviews.length === 0) {
    await recordEvent(deps.prisma, {
      type: 'data.deleted',
      actor: input.requestedBy,
      data: { reason: 'request', interviews: 0 },
    });
  }
  return { outcome: 'deleted', interviews: count };
}

/** Why an interview's data was deleted: 'request' (the candidate asked), 'retention', or undefined. */
export async function deletionReason(
  deps: Pick<TDeps, 'prisma'>,
  interviewId: string,
): Promise<string | undefined> {
  const deletion = await deps.prisma.event.findFirst({
    where: { interviewId, type: 'data.deleted' },
    orderBy: { createdAt: 'desc' },
    select: { data: true },
  });
  return (deletion?.data as { reason?: string } | null)?.reason;
}
