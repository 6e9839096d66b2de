/**
 * Producers for every queue in the catalogue. Adds fail fast while Redis is down
 * (the connection has no offline queue), and callers turn that into a clear
 * "try again in a moment" for the user.
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../../domain/errors.js';
import { JOB_NAMES, JOBS, type TJobName, type TJobPayload } from './catalogue.js';

export type TEnqueueOptions = { jobId: string; delay?: number; priority?: number };

export class JobQueues {
  private readonly queues: Map<TJobName, Queue>;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = new Map(
      JOB_NAMES.map((name) => {
        const def = JOBS[name];
        const defaultJobOptions: JobsOptions = {
          attempts: def.attempts,
          backoff: def.backoff,
          // Keep finished jobs a while: a custom jobId dedupes only while its job exists.
          removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        };
        return [name, new Queue(name, { connection, prefix, defaultJobOptions })];
      }),
    );
  }

  queue(name: TJobName): Queue {
    return this.queues.get(name)!;
  }

  /** Validates the payload, then adds the job. A job with the same id that still exists is not added twice. */
  async enqueue<N extends TJobName>(name: N, payload: TJobPayload<N>, opts: TEnqueueOptions) {
    const data = JOBS[name].payload.parse(payload);
    try {
      return await this.queue(name).add(name, data, {
        jobId: opts.jobId,
        ...(opts.delay !== undefined ? { delay: Math.max(0, Math.round(opts.delay)) } : {}),
        ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
      });
    } catch (err) {
      throw new AppError('unavailable', 'The job queue (Redis) is not answering. Try again in a moment.', {
        queue: name,
        cause: (err as Error).message,
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
