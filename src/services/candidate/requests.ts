/**
 * What a candidate can ask for from their pages (issue 14), and what the recruiter's buttons do:
 * - an interview with a person instead of the AI interview (the candidate opts out of AI: the AI
 *   interview does not start and is never evaluated; "Offer a human interview" cancels it through
 *   the booking service's cancel path, frees the seat and emails the candidate);
 * - an accommodation (more time, typed answers only, something else), granted to this interview;
 * - a correction: a note attached to the transcript, shown to the hiring team and given to any
 *   later evaluation;
 * Deletion requests are in ./deletion.ts. Every step is recorded in the event log.
 *
 * Requests are posted into the recruiter's thread by the `candidate_request` job (the portal never
 * calls Slack itself); the post's ts is stored on the request, so a decision updates it in place.
 */

import { buildRequestPost, type TRequestPost } from '../../block-kit/candidate-requests.js';
import { AppError } from '../../domain/errors.js';
import { stripControlChars } from '../../domain/escape.js';
import { hashSessionKey, isWellFormedSessionKey } from '../../domain/session-key.js';
import { verifyLink } from '../../domain/transcript-link.js';
import type { CandidateRequest, PrismaClient } from '../../generated/prisma/client.js';
import { enqueueCandidateRequest } from '../../infra/queue/jobs/candidate-request.js';
import { enqueueEmail } from '../../infra/queue/jobs/email.js';
import { threadOf } from '../../infra/slack/client.js';
import { cancelInterview } from '../booking/cancel-interview.js';
import { refreshRootMessage } from '../booking/scheduling-message.js';
import type { TServiceDeps } from '../deps.js';
import { transcriptLinkSecret } from '../evaluation/transcript-link.js';
import { recordEvent } from '../events.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'queues' | 'slack' | 'config' | 'now' | 'logger'>;

export const REQUEST_NEEDS = ['human_interview', 'extra_time', 'typed_answers', 'other'] as const;
export type TRequestNeed = (typeof REQUEST_NEEDS)[number];

/** The longest note a candidate can send with a request or a correction. */
export const MAX_REQUEST_TEXT = 2000;

/** How a candidate page was opened: the session key of their link, or a signed link from an email. */
export type TCandidateAccess = { session_key?: string; i?: string; exp?: string; sig?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadForCandidate(prisma: PrismaClient, where: { id: string } | { sessionKeyHash: string }) {
  return prisma.interview.findUnique({ where, include: { candidate: true, role: true } });
}
export type TCandidateInterview = NonNullable<Awaited<ReturnType<typeof loadForCandidate>>>;

/**
 * The interview a candidate page was opened for. Unlike the interview link, a cancelled or
 * finished interview still opens (the candidate's data rights outlive it); a deleted one says so.
 * A wrong key and a bad signature are indistinguishable ('invalid'); an expired signature is
 * 'expired' (only genuine links get that far).
 */
export async function findCandidateInterview(
  deps: Pick<TServiceDeps, 'prisma' | 'config' | 'now'>,
  access: TCandidateAccess,
): Promise<
  { kind: 'ok'; interview: TCandidateInterview } | { kind: 'deleted' } | { kind: 'invalid' | 'expired' }
> {
  let interview: TCandidateInterview | null = null;
  if (access.session_key !== undefined) {
    if (!isWellFormedSessionKey(access.session_key)) return { kind: 'invalid' };
    interview = await loadForCandidate(deps.prisma, { sessionKeyHash: hashSessionKey(access.session_key) });
  } else if (access.i !== undefined && UUID.test(access.i)) {
    const check = verifyLink(
      'candidate',
      { interviewId: access.i, exp: access.exp, sig: access.sig },
      transcriptLinkSecret(deps.config),
      deps.now(),
    );
    if (check !== 'valid') return { kind: check };
    interview = await loadForCandidate(deps.prisma, { id: access.i });
  }
  if (!interview) return { kind: 'invalid' };
  if (interview.redactedAt) return { kind: 'deleted' };
  return { kind: 'ok', interview };
}

/** Records, once per interview and notice version, that the lobby showed the notice. */
export async function recordNoticeShown(
  deps: Pick<TServiceDeps, 'prisma'>,
  interviewId: string,
  version: string,
): Promise<void> {
  const seen = await deps.prisma.event.findFirst({
    where: { interviewId, type: 'notice.shown', data: { path: ['version'], equals: version } },
    select: { id: true },
  });
  if (seen) return;
  await recordEvent(deps.prisma, {
    interviewId,
    type: 'notice.shown',
    actor: 'candidate',
    data: { version, where: 'lobby' },
  });
}

function cleanText(text: string | undefined): string {
  return stripControlChars(text ?? '', { keepNewlines: true })
    .trim()
    .slice(0, MAX_REQUEST_TEXT);
}

async function enqueuePost(deps: Pick<TServiceDeps, 'queues'>, requestId: string): Promise<void> {
  await enqueueCandidateRequest(deps.queues, { requestId });
}

/**
 * A candidate asks for an interview with a person, or for an accommodation, before their
 * interview. Asking for a person opts the interview out of AI at once. One open request per kind:
 * asking again adds nothing and returns the open one.
 */
export async function submitAlternativeRequest(
  deps: TDeps,
  interview: { id: string; status: string },
  input: { need: TRequestNeed; text?: string },
): Promise<{ request: CandidateRequest; isNew: boolean }> {
  if (interview.status !== 'scheduled')
    throw new AppError(
      'invalid_state',
      interview.status === 'in_progress'
        ? 'Your interview has already started. Reply to your invitation email and the recruiter will help.'
        : 'This interview is no longer upcoming, so it cannot be changed here. Reply to your invitation email and the recruiter will help.',
    );
  const kind = input.need === 'human_interview' ? 'alternative' : 'accommodation';
  const now = deps.now();
  const result = await deps.prisma.$transaction(async (tx) => {
    // One request of a kind at a time per interview, even for two submissions at once.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`candidate-request|${interview.id}|${kind}`}))`;
    const open = await tx.candidateRequest.findFirst({
      where: { interviewId: interview.id, kind, status: 'open' },
    });
    if (open) return { request: open, isNew: false };
    const request = await tx.candidateRequest.create({
      data: {
        interviewId: interview.id,
        kind,
        needs: [input.need],
        text: cleanText(input.text),
        createdAt: now,
      },
    });
    if (kind === 'alternative') {
      await tx.interview.updateMany({
        where: { id: interview.id, aiOptOutAt: null },
        data: { aiOptOutAt: now },
      });
    }
    await recordEvent(tx, {
      interviewId: interview.id,
      type: kind === 'alternative' ? 'candidate.alternative_requested' : 'candidate.accommodation_requested',
      actor: 'candidate',
      data: { requestId: request.id, needs: [input.need] },
    });
    return { request, isNew: true };
  });
  if (result.isNew) await enqueuePost(deps, result.request.id);
  return result;
}

/** A candidate's correction: a note on their transcript (optionally about one answer). */
export async function addCorrection(
  deps: TDeps,
  interview: { id: string },
  input: { text: string; turnSeq?: number | null | undefined },
): Promise<CandidateRequest> {
  const text = cleanText(input.text);
  if (!text) throw new AppError('invalid_input', 'Write what should be corrected.');
  const turnSeq = input.turnSeq ?? null;
  if (turnSeq !== null) {
    const turn = await deps.prisma.interviewTurn.count({
      where: { interviewId: interview.id, seq: turnSeq },
    });
    if (turn === 0) throw new AppError('invalid_input', 'That answer is not in your transcript.');
  }
  const request = await deps.prisma.$transaction(async (tx) => {
    const created = await tx.candidateRequest.create({
      data: {
        interviewId: interview.id,
        kind: 'correction',
        text,
        turnSeq,
        status: 'done',
        decidedAt: deps.now(),
        createdAt: deps.now(),
      },
    });
    await recordEvent(tx, {
      interviewId: interview.id,
      type: 'candidate.correction_added',
      actor: 'candidate',
      data: { requestId: created.id, turnSeq },
    });
    return created;
  });
  await enqueuePost(deps, request.id);
  return request;
}

export type TCorrectionNote = { turnSeq: number | null; text: string; createdAt: Date };

/**
 * The candidate's corrections to a transcript, oldest first: shown on the transcript page and
 * given to every later evaluation (see evaluation input: 'hiring' owns it).
 */
export async function correctionNotes(
  prisma: Pick<PrismaClient, 'candidateRequest'>,
  interviewId: string,
): Promise<TCorrectionNote[]> {
  const rows = await prisma.candidateRequest.findMany({
    where: { interviewId, kind: 'correction', text: { not: '' } },
    orderBy: { createdAt: 'asc' },
    select: { turnSeq: true, text: true, createdAt: true },
  });
  return rows;
}

async function requestPost(prisma: PrismaClient, requestId: string) {
  const r = await prisma.candidateRequest.findUnique({
    where: { id: requestId },
    include: { interview: { include: { candidate: true } } },
  });
  if (!r) return undefined;
  const kind = r.kind as TRequestPost['kind'];
  const post: TRequestPost = {
    requestId: r.id,
    kind,
    candidateName: r.interview.candidate.name,
    needs: r.needs,
    text: r.text,
    turnSeq: r.turnSeq,
    status: r.status,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    extraMinutes: r.extraMinutes,
    typedAnswersOnly: r.interview.typedAnswersOnly,
    dueAt: r.dueAt,
    legalHold:
      r.interview.legalHoldAt && r.interview.legalHoldBy
        ? { by: r.interview.legalHoldBy, at: r.interview.legalHoldAt }
        : null,
    createdAt: r.createdAt,
  };
  return { request: r, interview: r.interview, message: buildRequestPost(post) };
}

/**
 * The `candidate_request` job: posts the request into the interview's thread, or updates the
 * post when it exists. Idempotent: the ts is stored, so a rerun edits instead of posting again.
 */
export async function postRequest(
  deps: Pick<TServiceDeps, 'prisma' | 'slack'>,
  requestId: string,
): Promise<'posted' | 'updated' | 'gone'> {
  const loaded = await requestPost(deps.prisma, requestId);
  if (!loaded || loaded.interview.redactedAt) return 'gone';
  const { request, interview, message } = loaded;
  if (request.slackChannelId && request.slackMessageTs) {
    await deps.slack.chat.update({ channel: request.slackChannelId, ts: request.slackMessageTs, ...message });
    return 'updated';
  }
  const res = await deps.slack.chat.postMessage({ ...threadOf(interview), ...message, unfurl_links: false });
  await deps.prisma.candidateRequest.update({
    where: { id: request.id },
    data: { slackChannelId: res.channel ?? interview.slackChannelId, slackMessageTs: res.ts ?? null },
  });
  return 'posted';
}

/** Updates the request's thread post in place (after a decision); a Slack failure is logged, not thrown. */
export async function refreshRequestPost(deps: TDeps, requestId: string): Promise<void> {
  try {
    await postRequest(deps, requestId);
  } catch (err) {
    deps.logger.warn(
      { requestId, err: { message: (err as Error).message } },
      'could not update the request post; it is retried by the request job',
    );
    await enqueuePost(deps, requestId).catch(() => undefined);
  }
}

/** Marks an open request decided, once: false when someone else decided it first. */
async function decide(
  prisma: PrismaClient,
  requestId: string,
  kind: string,
  userId: string,
  now: Date,
  extra: { extraMinutes?: number } = {},
): Promise<boolean> {
  const { count } = await prisma.candidateRequest.updateMany({
    where: { id: requestId, kind, status: 'open' },
    data: { status: 'granted', decidedBy: userId, decidedAt: now, ...extra },
  });
  return count === 1;
}

export type TDecision =
  | { outcome: 'done'; interviewId: string }
  | { outcome: 'already_decided' }
  | { outcome: 'not_possible'; reason: string };

/**
 * "Offer a human interview": the AI interview is cancelled through the booking service's cancel
 * path (seat freed, link dead), the candidate gets the cancellation email worded for this case,
 * and the request is closed. Once, whatever the clicks.
 */
export async function offerHumanInterview(
  deps: TDeps,
  input: { requestId: string; userId: string },
): Promise<TDecision> {
  const request = await deps.prisma.candidateRequest.findUnique({ where: { id: input.requestId } });
  if (request?.kind !== 'alternative')
    return { outcome: 'not_possible', reason: 'That request no longer exists.' };
  if (request.status !== 'open') return { outcome: 'already_decided' };
  const cancelled = await cancelInterview(
    request.interviewId,
    { actor: `slack:${input.userId}`, data: { reason: 'human_interview_offered', requestId: request.id } },
    deps,
  );
  if (cancelled.outcome === 'not_cancellable' && cancelled.status !== 'cancelled') {
    return {
      outcome: 'not_possible',
      reason: `The AI interview is ${cancelled.status.replace(/_/g, ' ')}, so it cannot be cancelled any more. Contact the candidate directly.`,
    };
  }
  if (!(await decide(deps.prisma, request.id, 'alternative', input.userId, deps.now())))
    return { outcome: 'already_decided' };
  const interview = await deps.prisma.interview.findUniqueOrThrow({ where: { id: request.interviewId } });
  // An interview cancelled by someone else meanwhile stays opted out; its cancel email was theirs.
  await recordEvent(deps.prisma, {
    interviewId: interview.id,
    type: 'candidate.human_interview_offered',
    actor: `slack:${input.userId}`,
    data: { requestId: request.id, cancelledHere: cancelled.outcome === 'cancelled' },
  });
  if (cancelled.outcome === 'cancelled') {
    await enqueueEmail(deps.queues, {
      interviewId: interview.id,
      kind: 'cancel',
      revision: cancelled.revision,
    });
  }
  await refreshRootMessage(interview.id, deps).catch((err: Error) =>
    deps.logger.warn(
      { interviewId: interview.id, err: { message: err.message } },
      'root message not refreshed',
    ),
  );
  await refreshRequestPost(deps, request.id);
  return { outcome: 'done', interviewId: interview.id };
}

/** The largest extra time an accommodation can add, in minutes. */
export const MAX_EXTRA_MINUTES = 120;

/**
 * "Grant accommodation": the extra minutes and/or typed-only answers apply to this interview
 * (its timer, its window, its answer mode). Setting, not adding: a repeated grant changes nothing.
 */
export async function grantAccommodation(
  deps: TDeps,
  input: { requestId: string; userId: string; extraMinutes: number; typedAnswersOnly: boolean },
): Promise<TDecision> {
  if (
    !Number.isInteger(input.extraMinutes) ||
    input.extraMinutes < 0 ||
    input.extraMinutes > MAX_EXTRA_MINUTES
  )
    throw new AppError(
      'invalid_input',
      `Extra time is a whole number of minutes from 0 to ${MAX_EXTRA_MINUTES}.`,
    );
  const request = await deps.prisma.candidateRequest.findUnique({
    where: { id: input.requestId },
    include: { interview: { select: { status: true } } },
  });
  if (request?.kind !== 'accommodation')
    return { outcome: 'not_possible', reason: 'That request no longer exists.' };
  if (request.status !== 'open') return { outcome: 'already_decided' };
  if (request.interview.status !== 'scheduled' && request.interview.status !== 'in_progress')
    return {
      outcome: 'not_possible',
      reason: `The interview is ${request.interview.status.replace(/_/g, ' ')}: an accommodation cannot apply to it any more.`,
    };
  const granted = await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.candidateRequest.updateMany({
      where: { id: request.id, status: 'open' },
      data: {
        status: 'granted',
        decidedBy: input.userId,
        decidedAt: deps.now(),
        extraMinutes: input.extraMinutes,
      },
    });
    if (count === 0) return false;
    await tx.interview.update({
      where: { id: request.interviewId },
      data: {
        extraMinutes: input.extraMinutes,
        ...(input.typedAnswersOnly ? { typedAnswersOnly: true } : {}),
      },
    });
    await recordEvent(tx, {
      interviewId: request.interviewId,
      type: 'candidate.accommodation_granted',
      actor: `slack:${input.userId}`,
      data: {
        requestId: request.id,
        extraMinutes: input.extraMinutes,
        typedAnswersOnly: input.typedAnswersOnly,
      },
    });
    return true;
  });
  if (!granted) return { outcome: 'already_decided' };
  await refreshRequestPost(deps, request.id);
  return { outcome: 'done', interviewId: request.interviewId };
}

/** The open request's default grant: what the candidate asked for (extra time: half the length, at least 15 min). */
export async function accommodationDefaults(
  prisma: PrismaClient,
  requestId: string,
): Promise<{ extraMinutes: number; typedAnswersOnly: boolean; candidateName: string } | undefined> {
  const r = await prisma.candidateRequest.findUnique({
    where: { id: requestId },
    include: { interview: { include: { candidate: true } } },
  });
  if (r?.kind !== 'accommodation') return undefined;
  const lengthMin = Math.round(
    (r.interview.scheduledEnd.getTime() - r.interview.scheduledStart.getTime()) / 60_000,
  );
  const half = Math.max(15, Math.ceil(lengthMin / 2 / 5) * 5);
  return {
    extraMinutes: r.needs.includes('extra_time') ? Math.min(half, MAX_EXTRA_MINUTES) : 0,
    typedAnswersOnly: r.needs.includes('typed_answers'),
    candidateName: r.interview.candidate.name,
  };
}
