/** Starts one BullMQ worker per queue that has a handler. */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TJobName } from '../infra/queue/catalogue.js';
import type { TWorkerDeps } from './deps.js';
import { HANDLERS } from './handlers/index.js';
import { startWorker, type TJobHandler } from './worker.js';

export function startWorkers(
  deps: TWorkerDeps,
  connection: Redis,
  opts: { concurrency?: Partial<Record<TJobName, number>>; only?: TJobName[] } = {},
): Worker[] {
  const workers: Worker[] = [];
  for (const [name, factory] of Object.entries(HANDLERS) as Array<
    [TJobName, (d: TWorkerDeps) => TJobHandler<TJobName>]
  >) {
    if (opts.only && !opts.only.includes(name)) continue;
    workers.push(
      startWorker(name, factory(deps), {
        connection,
        prefix: deps.config.redis.prefix,
        logger: deps.logger,
        concurrency: opts.concurrency?.[name] ?? 4,
        stalledIntervalMs: deps.config.workerStalledIntervalMs,
        observe: ({ queue, ms, ok, final }) => {
          deps.metrics.jobDuration.observe({ queue, outcome: ok ? 'ok' : 'error' }, ms / 1000);
          if (!ok) deps.metrics.jobFailures.inc({ queue, final: String(final) });
        },
      }),
    );
  }
  return workers;
}
