/**
 * The job catalogue: every queue's definition (jobs/<queue>.ts owns its payload schema, attempts,
 * backoff, job id and enqueue function). Workers parse payloads with these schemas before a
 * handler runs; producers validate before enqueueing, so a bad payload fails where it is made.
 */
import type { z } from 'zod';
import { bookingJob } from './jobs/booking.js';
import { candidateRequestJob } from './jobs/candidate-request.js';
import { emailJob } from './jobs/email.js';
import { evaluationJob } from './jobs/evaluation.js';
import { maintenanceJob } from './jobs/maintenance.js';
import { notifyJob } from './jobs/notify.js';
import { prepareJob } from './jobs/prepare.js';

export const JOBS = {
  booking: bookingJob,
  notify: notifyJob,
  email: emailJob,
  prepare: prepareJob,
  evaluation: evaluationJob,
  maintenance: maintenanceJob,
  candidate_request: candidateRequestJob,
} as const;

export type TJobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as TJobName[];
export type TJobPayload<N extends TJobName> = z.input<(typeof JOBS)[N]['payload']>;
export type TJobData<N extends TJobName> = z.output<(typeof JOBS)[N]['payload']>;
