/**
 * prepare: writes the interview's question plan right after booking
 * (services/interview/prepare-interview.ts).
 */
import { prepareInterview } from '../../services/interview/prepare-interview.js';
import type { TWorkerDeps } from '../deps.js';
import type { TJobHandler } from '../worker.js';

export function prepareHandler(deps: TWorkerDeps): TJobHandler<'prepare'> {
  return async (payload, ctx) =>
    prepareInterview({ ...deps, logger: ctx.logger }, payload.interviewId, {
      // Retry the model while attempts are left; the last attempt settles for the built-in plan.
      allowFallback: ctx.isFinalAttempt,
    });
}
