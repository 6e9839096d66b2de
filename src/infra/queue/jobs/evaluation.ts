/**
 * evaluation: scores a finished interview and posts it into the recruiter's thread, or says the
 * candidate did not join. One job per (interview, version): the portal ending an interview and
 * the no-show sweep ending the same one queue the same id, so it is evaluated once.
 */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZEvaluationJob = z.object({
  interviewId: z.uuid(),
  version: z.number().int().min(1),
  /** completed: first evaluation; reevaluate: asked for from Slack; no_show: window closed unstarted. */
  reason: z.enum(['completed', 'reevaluate', 'no_show']),
  /** The Slack user who asked for a re-evaluation (an id, not personal data of the candidate). */
  requestedBy: z.string().optional(),
});
export type TEvaluationJob = z.infer<typeof ZEvaluationJob>;

export const evaluationJob = defineJob({
  name: 'evaluation',
  payload: ZEvaluationJob,
  attempts: 5,
  backoff: { type: 'exponential', delay: 3000 },
});

export function evaluationJobId(job: Pick<TEvaluationJob, 'interviewId' | 'version'>): string {
  return jobId('evaluation', job.interviewId, `v${job.version}`);
}

export function enqueueEvaluation(queues: TJobSink<'evaluation', TEvaluationJob>, job: TEvaluationJob) {
  return queues.enqueue('evaluation', job, { jobId: evaluationJobId(job) });
}
