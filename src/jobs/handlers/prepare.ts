/**
 * prepare: writes the interview's question plan right after booking, so the
 * interview room starts without waiting for the model. Idempotent: a plan that
 * exists is kept; an interview that can no longer start is skipped.
 */
import { ensurePlan } from '../../services/interview/plan.js';
import type { TWorkerDeps } from '../deps.js';
import type { TJobHandler } from '../worker.js';

export function prepareHandler(deps: TWorkerDeps): TJobHandler<'prepare'> {
  return async (payload, ctx) => {
    const interview = await deps.prisma.interview.findUnique({
      where: { id: payload.interviewId },
      select: { status: true, revision: true, planPreparedAt: true },
    });
    if (!interview) return { skipped: 'not_found' };
    if (interview.status !== 'scheduled' && interview.status !== 'in_progress') {
      return { skipped: interview.status };
    }
    if (interview.planPreparedAt) return { skipped: 'already_prepared' };
    const plan = await ensurePlan({ ...deps, logger: ctx.logger }, payload.interviewId, {
      // Retry the model while attempts are left; the last attempt settles for the built-in plan.
      allowFallback: ctx.isFinalAttempt,
    });
    return { questions: plan.length };
  };
}
