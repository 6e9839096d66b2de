/**
 * candidate_request: a candidate's request (services/candidate/requests.ts) posted into, or updated
 * in, the recruiter's thread. Ids only: the request row holds the candidate's words.
 */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZCandidateRequestJob = z.object({ requestId: z.uuid() });
export type TCandidateRequestJob = z.infer<typeof ZCandidateRequestJob>;

// Like notify: a Slack outage of two minutes delays the post, never loses it.
export const candidateRequestJob = defineJob({
  name: 'candidate_request',
  payload: ZCandidateRequestJob,
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
});

export function candidateRequestJobId(job: TCandidateRequestJob): string {
  return jobId('candidate-request', job.requestId);
}

export function enqueueCandidateRequest(
  queues: TJobSink<'candidate_request', TCandidateRequestJob>,
  job: TCandidateRequestJob,
) {
  return queues.enqueue('candidate_request', job, { jobId: candidateRequestJobId(job) });
}
