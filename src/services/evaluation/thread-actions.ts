/** What the evaluation post's buttons do: ask for a new version, ask for a human review. */

import { humanReviewRequestedText, reevaluationRequestedText } from '../../block-kit/evaluation-messages.js';
import { AppError } from '../../domain/errors.js';
import { enqueueEvaluation } from '../../infra/queue/jobs/evaluation.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'queues' | 'slack' | 'now'>;

/** A version still pending after this long is taken as lost (its job gave up), not as running. */
const STALE_PENDING_MS = 15 * 60_000;

/**
 * Creates evaluation version n+1 and enqueues it. Two clicks at once both compute the same n+1:
 * the unique (interviewId, version) row lets exactly one of them through, so one job and one
 * thread note. Returns the version, or undefined when another click got there first.
 */
export async function requestReevaluation(
  deps: TDeps,
  input: { interviewId: string; userId: string },
): Promise<number | undefined> {
  const interview = await deps.prisma.interview.findUnique({
    where: { id: input.interviewId },
    select: { id: true, status: true, slackChannelId: true, slackThreadTs: true },
  });
  if (!interview) throw new AppError('not_found', 'That interview was not found.');
  if (!['completed', 'evaluated', 'failed'].includes(interview.status))
    throw new AppError('invalid_state', 'Only a finished interview can be evaluated again.');
  const last = await deps.prisma.evaluation.findFirst({
    where: { interviewId: interview.id },
    orderBy: { version: 'desc' },
    select: { version: true, status: true, updatedAt: true },
  });
  if (last?.status === 'pending' && deps.now().getTime() - last.updatedAt.getTime() < STALE_PENDING_MS)
    throw new AppError(
      'conflict',
      `Evaluation version ${last.version} is still running. Try again when it is posted.`,
    );
  const version = (last?.version ?? 0) + 1;
  try {
    await deps.prisma.evaluation.create({ data: { interviewId: interview.id, version } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return undefined;
    throw err;
  }
  try {
    await enqueueEvaluation(deps.queues, {
      interviewId: interview.id,
      version,
      reason: 'reevaluate',
      requestedBy: input.userId,
    });
  } catch (err) {
    // Nothing will run it: free the version so the next click can try again.
    await deps.prisma.evaluation.deleteMany({
      where: { interviewId: interview.id, version, status: 'pending' },
    });
    throw err;
  }
  await recordEvent(deps.prisma, {
    interviewId: interview.id,
    type: 'evaluation.reevaluation_requested',
    actor: `slack:${input.userId}`,
    data: { version },
  });
  await deps.slack.chat.postMessage({
    channel: interview.slackChannelId,
    ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
    text: reevaluationRequestedText(input.userId, version),
  });
  return version;
}

/**
 * Records that a person asked for a human review of an evaluation version and says so in the
 * thread. Once per user and version: a second click records nothing and posts nothing.
 */
export async function requestHumanReview(
  deps: TDeps,
  input: { interviewId: string; version: number; userId: string },
): Promise<boolean> {
  const actor = `slack:${input.userId}`;
  const interview = await deps.prisma.interview.findUnique({
    where: { id: input.interviewId },
    select: { id: true, slackChannelId: true, slackThreadTs: true },
  });
  if (!interview) throw new AppError('not_found', 'That interview was not found.');
  const isFirst = await deps.prisma.$transaction(async (tx) => {
    // Serialises clicks of one user on one interview (two clicks arrive in parallel).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${interview.id}|${actor}`}))`;
    const existing = await tx.event.findFirst({
      where: {
        interviewId: interview.id,
        type: 'evaluation.human_review_requested',
        actor,
        data: { path: ['version'], equals: input.version },
      },
      select: { id: true },
    });
    if (existing) return false;
    await recordEvent(tx, {
      interviewId: interview.id,
      type: 'evaluation.human_review_requested',
      actor,
      data: { version: input.version },
    });
    return true;
  });
  if (!isFirst) return false;
  await deps.slack.chat.postMessage({
    channel: interview.slackChannelId,
    ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
    text: humanReviewRequestedText(input.userId, input.version),
  });
  return true;
}
