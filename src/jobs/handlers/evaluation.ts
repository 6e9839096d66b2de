/**
 * `evaluation` jobs: score a finished interview and post it into the recruiter's thread, or say
 * the candidate did not join. Retries (model errors, timeouts, invalid output) come from the
 * catalogue's backoff; the last attempt posts the failure instead of throwing silently.
 */
import type { TServiceDeps } from '../../services/deps.js';
import { runEvaluation, type TEvaluationRun } from '../../services/evaluation/evaluate-interview.js';
import type { TJobHandler } from '../worker.js';

export function evaluationHandler(
  deps: TServiceDeps,
  seams: Pick<TEvaluationRun, 'afterPost'> = {},
): TJobHandler<'evaluation'> {
  return async (payload, ctx) => {
    const started = performance.now();
    const outcome = await runEvaluation(payload, deps, {
      isFinalAttempt: ctx.isFinalAttempt,
      logger: ctx.logger,
      ...seams,
    });
    ctx.logger.info(
      {
        interviewId: payload.interviewId,
        version: payload.version,
        outcome,
        ms: Math.round(performance.now() - started),
      },
      'evaluation job done',
    );
    return { outcome };
  };
}
