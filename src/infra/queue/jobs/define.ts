/**
 * What every job definition is made of: its queue name, payload schema, attempts and backoff.
 * Each queue has one module in this folder that owns these and its job id function (the dedupe
 * contract: BullMQ adds a job whose id still exists only once), and exports `enqueueX(queues, …)`.
 * Call sites call `enqueueX`; they never build a job id.
 *
 * Payloads carry ids, never personal data or session keys: a worker loads what it needs, so
 * retention and deletion reach everything (docs/reliability.md, "Personal data and the queue").
 */
import type { Job, Queue } from 'bullmq';
import type { z } from 'zod';

export type TEnqueueOptions = { jobId: string; delay?: number; priority?: number };

/**
 * What a definition's `enqueueX` needs of the queues, for one job name (`JobQueues` is one). It is
 * declared here, not imported from queues.ts, because queues.ts imports the definitions.
 */
export interface TJobSink<N extends string, P> {
  enqueue(name: N, payload: P, opts: TEnqueueOptions): Promise<Job>;
  enqueueBatched(name: N, payload: P, opts: TEnqueueOptions): Promise<Job>;
  queue(name: N): Queue;
}

export type TBackoff = { type: 'exponential' | 'fixed'; delay: number };

export type TJobDefinition<N extends string, S extends z.ZodType> = {
  name: N;
  payload: S;
  attempts: number;
  backoff: TBackoff;
};

export function defineJob<N extends string, S extends z.ZodType>(
  def: TJobDefinition<N, S>,
): TJobDefinition<N, S> {
  return def;
}

/** BullMQ job ids must not contain ':' nor look like integers; only the definitions call this. */
export function jobId(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replace(/:/g, '_')).join('-');
}
