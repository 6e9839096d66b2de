/**
 * Producers for every queue in the catalogue. Adds fail fast while Redis is down
 * (the connection has no offline queue), and callers turn that into a clear
 * "try again in a moment" for the user.
 */
import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../../domain/errors.js';
import { coalesceCalls } from '../coalesce-calls.js';
import { JOB_NAMES, JOBS, type TJobName, type TJobPayload } from './catalogue.js';
import type { TEnqueueOptions } from './jobs/define.js';

type TBulkItem = { name: string; data: unknown; opts: JobsOptions };

function jobOptions(opts: TEnqueueOptions): JobsOptions {
  return {
    jobId: opts.jobId,
    ...(opts.delay !== undefined ? { delay: Math.max(0, Math.round(opts.delay)) } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
  };
}

function unavailable(queue: TJobName, err: Error): AppError {
  return new AppError('unavailable', 'The job queue (Redis) is not answering. Try again in a moment.', {
    queue,
    cause: err.message,
  });
}

export class JobQueues {
  private readonly queues: Map<TJobName, Queue>;
  private readonly batchers = new Map<TJobName, (item: TBulkItem) => Promise<Job>>();

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
      return await this.queue(name).add(name, data, jobOptions(opts));
    } catch (err) {
      throw unavailable(name, err as Error);
    }
  }

  /**
   * Like `enqueue`, but adds made in the same turn of the event loop reach Redis
   * together: one `addBulk` (one pipelined write) per queue and turn, for request
   * paths that enqueue before they answer (a burst of Slack submissions). Each
   * caller still gets its own job or its own error: a payload that fails
   * validation throws for that caller alone, and if the bulk add fails each job
   * is retried alone (job ids make that idempotent), so the same callers see the
   * same 'unavailable' error they would have seen from `enqueue`.
   */
  async enqueueBatched<N extends TJobName>(name: N, payload: TJobPayload<N>, opts: TEnqueueOptions) {
    const data = JOBS[name].payload.parse(payload);
    let add = this.batchers.get(name);
    if (!add) {
      add = coalesceCalls((items) => this.addMany(name, items));
      this.batchers.set(name, add);
    }
    return add({ name, data, opts: jobOptions(opts) });
  }

  private async addMany(name: TJobName, items: TBulkItem[]): Promise<Array<Job | Error>> {
    const queue = this.queue(name);
    try {
      return await queue.addBulk(items);
    } catch {
      return Promise.all(
        items.map((item) =>
          queue.add(item.name, item.data, item.opts).catch((err: Error) => unavailable(name, err)),
        ),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
