/** prepare: writes the interview's question plan right after booking (jobs/handlers/prepare.ts). */
import { z } from 'zod';
import { defineJob, jobId, type TJobSink } from './define.js';

export const ZPrepareJob = z.object({ interviewId: z.uuid(), revision: z.number().int().min(1) });
export type TPrepareJob = z.infer<typeof ZPrepareJob>;

export const prepareJob = defineJob({
  name: 'prepare',
  payload: ZPrepareJob,
  attempts: 4,
  backoff: { type: 'exponential', delay: 2000 },
});

export function prepareJobId(job: TPrepareJob): string {
  return jobId('prepare', job.interviewId, `r${job.revision}`);
}

export function enqueuePrepare(queues: TJobSink<'prepare', TPrepareJob>, job: TPrepareJob) {
  return queues.enqueue('prepare', job, { jobId: prepareJobId(job) });
}
