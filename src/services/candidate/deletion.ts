/**
 * A candidate's request to delete their data (issue 14, Illinois AIVIA's 30 days): posted in the
 * recruiter's thread, carried out by itself `candidateRights.deletionRequestDays` after the request
 * (the `deletion_requests` maintenance task), unless a workspace admin puts the interview on legal
 * hold. Deletion itself is services/retention.ts (database) then ./slack-redaction.ts (Slack).
 */
import { AppError } from '../../domain/errors.js';
import type { CandidateRequest } from '../../generated/prisma/client.js';
import { enqueueCandidateRequest } from '../../infra/queue/jobs/candidate-request.js';
import { cancelInterview } from '../booking/cancel-interview.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { deleteCandidateData } from '../retention.js';
import { refreshRequestPost } from './requests.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'queues' | 'slack' | 'config' | 'now' | 'logger'>;

const DAY_MS = 24 * 3600_000;

/** The candidate asks for deletion. One open request per interview: asking again returns it. */
export async function requestDeletion(
  deps: TDeps,
  interview: { id: string },
): Promise<{ request: CandidateRequest; isNew: boolean }> {
  const now = deps.now();
  const dueAt = new Date(now.getTime() + deps.config.candidateRights.deletionRequestDays * DAY_MS);
  const result = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`candidate-request|${interview.id}|deletion`}))`;
    const open = await tx.candidateRequest.findFirst({
      where: { interviewId: interview.id, kind: 'deletion', status: 'open' },
    });
    if (open) return { request: open, isNew: false };
    const request = await tx.candidateRequest.create({
      data: { interviewId: interview.id, kind: 'deletion', dueAt, createdAt: now },
    });
    await recordEvent(tx, {
      interviewId: interview.id,
      type: 'candidate.deletion_requested',
      actor: 'candidate',
      data: { requestId: request.id, dueAt: dueAt.toISOString() },
    });
    return { request, isNew: true };
  });
  if (result.isNew) {
    await enqueueCandidateRequest(deps.queues, { requestId: result.request.id });
  }
  return result;
}

/** Whether a Slack user is a workspace admin or owner (users.info): only they set legal holds. */
async function isWorkspaceAdmin(deps: Pick<TServiceDeps, 'slack'>, userId: string): Promise<boolean> {
  const res = await deps.slack.users.info({ user: userId });
  const user = res.user as { is_admin?: boolean; is_owner?: boolean } | undefined;
  return user?.is_admin === true || user?.is_owner === true;
}

/**
 * Puts the request's interview on legal hold, or releases it. Workspace admins only. While held,
 * neither the request nor retention deletes the interview. Recorded in the event log.
 */
export async function setLegalHold(
  deps: TDeps,
  input: { requestId: string; userId: string; hold: boolean },
): Promise<'changed' | 'unchanged'> {
  if (!(await isWorkspaceAdmin(deps, input.userId)))
    throw new AppError(
      'forbidden',
      'Only a workspace admin can put an interview on legal hold or release it.',
    );
  const request = await deps.prisma.candidateRequest.findUnique({ where: { id: input.requestId } });
  if (request?.kind !== 'deletion') throw new AppError('not_found', 'That request no longer exists.');
  const now = deps.now();
  const changed = await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.interview.updateMany({
      where: input.hold
        ? { id: request.interviewId, legalHoldAt: null, redactedAt: null }
        : { id: request.interviewId, legalHoldAt: { not: null } },
      data: input.hold
        ? { legalHoldAt: now, legalHoldBy: input.userId }
        : { legalHoldAt: null, legalHoldBy: null },
    });
    if (count === 0) return false;
    await recordEvent(tx, {
      interviewId: request.interviewId,
      type: input.hold ? 'data.legal_hold_set' : 'data.legal_hold_released',
      actor: `slack:${input.userId}`,
      data: { requestId: request.id },
    });
    return true;
  });
  await refreshRequestPost(deps, request.id);
  return changed ? 'changed' : 'unchanged';
}

/**
 * The `deletion_requests` task: carries out every open deletion request whose day has come and
 * whose interview is not on legal hold. An upcoming interview of the candidate is cancelled first
 * (the booking service's cancel path); one in progress waits for the next run. Idempotent: a
 * request is closed once, and deletion itself redacts each interview once.
 */
export async function runDueDeletions(
  deps: TDeps,
): Promise<{ carriedOut: number; held: number; waiting: number }> {
  const now = deps.now();
  const due = await deps.prisma.candidateRequest.findMany({
    where: { kind: 'deletion', status: 'open', dueAt: { lte: now } },
    include: { interview: { select: { id: true, candidateId: true, legalHoldAt: true } } },
    orderBy: { dueAt: 'asc' },
    take: 100,
  });
  let carriedOut = 0;
  let held = 0;
  let waiting = 0;
  for (const request of due) {
    if (request.interview.legalHoldAt) {
      held++;
      continue;
    }
    const upcoming = await deps.prisma.interview.findMany({
      where: { candidateId: request.interview.candidateId, status: 'scheduled' },
      select: { id: true },
    });
    // The candidate asked for it (their deletion request); the deadline only carries it out.
    for (const u of upcoming)
      await cancelInterview(
        u.id,
        { actor: 'candidate', data: { reason: 'deletion_request', requestId: request.id } },
        deps,
      );
    const result = await deleteCandidateData(deps, {
      candidateId: request.interview.candidateId,
      requestedBy: 'candidate',
    });
    if (result.outcome === 'has_active') {
      waiting++;
      continue;
    }
    const { count } = await deps.prisma.candidateRequest.updateMany({
      where: { id: request.id, status: 'open' },
      data: { status: 'done', decidedAt: now, decidedBy: 'system' },
    });
    if (count === 1) {
      carriedOut++;
      await recordEvent(deps.prisma, {
        interviewId: request.interviewId,
        type: 'candidate.deletion_carried_out',
        data: {
          requestId: request.id,
          requestedAt: request.createdAt.toISOString(),
          interviews: result.outcome === 'deleted' ? result.interviews : 0,
        },
      });
    }
  }
  return { carriedOut, held, waiting };
}
