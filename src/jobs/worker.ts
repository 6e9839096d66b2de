/**
 * Runs one queue's handler. The payload is parsed against the catalogue schema
 * before the handler sees it; a payload that cannot parse will never succeed, so
 * it fails at once (UnrecoverableError) instead of burning retries.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isAppError } from '../domain/errors.js';
import { type Logger, loggableMessage } from '../infra/logger.js';
import { JOBS, type TJobData, type TJobName } from '../infra/queue/catalogue.js';

export type TJobContext = {
  job: Job;
  /** True on the last attempt: handlers report final failures to users then. */
  isFinalAttempt: boolean;
  logger: Logger;
};

export type TJobHandler<N extends TJobName> = (payload: TJobData<N>, ctx: TJobContext) => Promise<unknown>;

export type TJobObserver = (event: { queue: TJobName; ms: number; ok: boolean; final: boolean }) => void;

export function startWorker<N extends TJobName>(
  name: N,
  handler: TJobHandler<N>,
  opts: {
    connection: Redis;
    prefix: string;
    logger: Logger;
    concurrency?: number;
    observe?: TJobObserver;
    /** How often to look for jobs of dead workers (BullMQ's default: 30 s). */
    stalledIntervalMs?: number;
  },
): Worker {
  const logger = opts.logger.child({ queue: name });
  const worker = new Worker(
    name,
    async (job: Job) => {
      const parsed = JOBS[name].payload.safeParse(job.data);
      if (!parsed.success) {
        logger.error(
          { jobId: job.id, issues: parsed.error.issues.map((i) => i.path.join('.')) },
          'invalid job payload',
        );
        throw new UnrecoverableError(`invalid payload for ${name}`);
      }
      const attempts = job.opts.attempts ?? 1;
      const ctx: TJobContext = {
        job,
        isFinalAttempt: job.attemptsMade + 1 >= attempts,
        logger: logger.child({ jobId: job.id, attempt: job.attemptsMade + 1 }),
      };
      const started = performance.now();
      try {
        const result = await handler(parsed.data as TJobData<N>, ctx);
        opts.observe?.({ queue: name, ms: performance.now() - started, ok: true, final: true });
        return result;
      } catch (err) {
        const unrecoverable = err instanceof UnrecoverableError || (isAppError(err) && err.status < 500);
        opts.observe?.({
          queue: name,
          ms: performance.now() - started,
          ok: false,
          final: unrecoverable || ctx.isFinalAttempt,
        });
        ctx.logger.warn(
          { err: { message: loggableMessage(err), code: (err as { code?: string }).code } },
          'job failed',
        );
        // What BullMQ keeps of a failure (failedReason, stack) stays in Redis for 30 days: only the
        // scrubbed message goes there (Prisma's errors can quote the failing call's arguments).
        const kept = loggableMessage(err);
        if (unrecoverable || err instanceof UnrecoverableError) throw new UnrecoverableError(kept);
        const safe = new Error(kept);
        safe.name = (err as Error)?.name ?? 'Error';
        throw safe;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 4,
      autorun: true,
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    },
  );
  worker.on('error', (err) => logger.error({ err: { message: err.message } }, 'worker error'));
  return worker;
}

/** worker.close() waits for active jobs without a limit; this gives it one. */
export async function closeWorkers(workers: Worker[], timeoutMs: number): Promise<void> {
  const graceful = Promise.all(workers.map((w) => w.close()));
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([graceful, timer])) === 'timeout') {
    // Force: active jobs are abandoned and will be picked up again as stalled (handlers are idempotent).
    await Promise.all(workers.map((w) => w.close(true)));
  }
}
