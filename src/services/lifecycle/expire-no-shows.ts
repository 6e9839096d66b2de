/**
 * Closing interviews whose window has closed (the `expire_no_shows` maintenance task, every
 * minute): `scheduled` → `expired` with a "Candidate did not join" note, and `in_progress` →
 * `completed` with an evaluation. Each move goes through transitionInterview, so the portal ending
 * the same interview at the same moment cannot make it twice; only the winner enqueues, and the
 * job id is the portal's own (`evaluation-<id>-v1`), so BullMQ dedupes anyway.
 */
import { accommodatedEnd, interviewWindow } from '../../domain/window.js';
import { enqueueEvaluation as queueEvaluation } from '../../infra/queue/jobs/evaluation.js';
import type { JobQueues } from '../../infra/queue/queues.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { transitionInterview } from './transition-interview.js';

const BATCH = 200;
/** How far back the catch-up sweep looks for ended interviews that never got an evaluation job. */
const SWEEP_DAYS = 3;

export async function expireNoShows(
  deps: Pick<TServiceDeps, 'prisma' | 'queues' | 'config' | 'now'>,
): Promise<{ expired: number; completed: number; requeued: number }> {
  const { prisma, queues, config } = deps;
  const now = deps.now();
  const settings = config.interview;
  // closesAt = scheduledEnd + grace: a cheap bound in SQL, the exact rule from the domain.
  const endedBefore = new Date(now.getTime() - settings.graceMinutes * 60_000);
  const candidates = await prisma.interview.findMany({
    where: { status: { in: ['scheduled', 'in_progress'] }, scheduledEnd: { lte: endedBefore } },
    select: { id: true, status: true, scheduledStart: true, scheduledEnd: true, extraMinutes: true },
    orderBy: { scheduledEnd: 'asc' },
    take: BATCH,
  });
  let expired = 0;
  let completed = 0;
  for (const interview of candidates) {
    // An accommodation's extra minutes move the close too (services/interview/session.ts).
    const { closesAt } = interviewWindow(interview.scheduledStart, accommodatedEnd(interview), settings);
    if (closesAt.getTime() > now.getTime()) continue;
    if (interview.status === 'scheduled') {
      const isMoved = await transitionInterview(prisma, interview.id, 'scheduled', 'expired', {
        endReason: 'window_closed',
      });
      if (!isMoved) continue;
      expired++;
      await recordEvent(prisma, {
        interviewId: interview.id,
        type: 'interview.expired',
        data: { reason: 'no_show' },
      });
      await enqueueNoShow(queues, interview.id);
    } else {
      const isMoved = await transitionInterview(prisma, interview.id, 'in_progress', 'completed', {
        endedAt: now,
        endReason: 'window_closed',
        activeConnectionId: null,
      });
      if (!isMoved) continue;
      completed++;
      await recordEvent(prisma, {
        interviewId: interview.id,
        type: 'interview.completed',
        data: { reason: 'window_closed' },
      });
      await enqueueEvaluation(queues, interview.id);
    }
  }
  const requeued = await sweepMissedEvaluations(deps, now);
  return { expired, completed, requeued };
}

function enqueueNoShow(queues: JobQueues, interviewId: string) {
  return queueEvaluation(queues, { interviewId, version: 1, reason: 'no_show' });
}

function enqueueEvaluation(queues: JobQueues, interviewId: string) {
  return queueEvaluation(queues, { interviewId, version: 1, reason: 'completed' });
}

/**
 * A status move commits before its enqueue; if Redis was down in between, the interview would
 * wait forever. Recently ended interviews with no evaluation row at all get their job again
 * (same job id: a job that still exists is not added twice).
 */
async function sweepMissedEvaluations(
  deps: Pick<TServiceDeps, 'prisma' | 'queues'>,
  now: Date,
): Promise<number> {
  const since = new Date(now.getTime() - SWEEP_DAYS * 24 * 3600_000);
  const graceForPortal = new Date(now.getTime() - 2 * 60_000);
  const missed = await deps.prisma.interview.findMany({
    where: {
      status: { in: ['completed', 'expired'] },
      scheduledEnd: { gte: since },
      updatedAt: { lte: graceForPortal },
      evaluations: { none: {} },
    },
    select: { id: true, status: true },
    take: BATCH,
  });
  for (const m of missed) {
    if (m.status === 'expired') await enqueueNoShow(deps.queues, m.id);
    else await enqueueEvaluation(deps.queues, m.id);
  }
  return missed.length;
}
