/**
 * Preparing an interview right after booking: its question plan is written then, so the room
 * starts without waiting for the model. Idempotent: a plan that exists is kept; an interview
 * that can no longer start is skipped.
 */
import type { TServiceDeps } from '../deps.js';
import { ensurePlan } from './plan.js';

export async function prepareInterview(
  deps: Pick<TServiceDeps, 'ai' | 'logger' | 'prisma' | 'now'>,
  interviewId: string,
  opts: { allowFallback: boolean },
): Promise<{ skipped: string } | { questions: number }> {
  const interview = await deps.prisma.interview.findUnique({
    where: { id: interviewId },
    select: { status: true, revision: true, planPreparedAt: true },
  });
  if (!interview) return { skipped: 'not_found' };
  if (interview.status !== 'scheduled' && interview.status !== 'in_progress') {
    return { skipped: interview.status };
  }
  if (interview.planPreparedAt) return { skipped: 'already_prepared' };
  const plan = await ensurePlan(deps, interviewId, opts);
  return { questions: plan.length };
}
