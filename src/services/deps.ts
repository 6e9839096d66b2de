/**
 * What use cases get from the entry point. Each service takes the parts it uses
 * (Pick<TServiceDeps, ...>) so tests build only those.
 */
import type { WebClient } from '@slack/web-api';
import type { TConfig } from '../config.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { TAi } from '../infra/ai/client.js';
import type { TFaultPoint } from '../infra/fault-points.js';
import type { Logger } from '../infra/logger.js';
import type { TMetrics } from '../infra/metrics.js';
import type { JobQueues } from '../infra/queue/queues.js';

export type TServiceDeps = {
  config: TConfig;
  prisma: PrismaClient;
  queues: JobQueues;
  slack: WebClient;
  ai: TAi | undefined;
  logger: Logger;
  metrics: TMetrics;
  /** The current time; tests move it. */
  now: () => Date;
  /**
   * Called (never awaited) after an interview starts or ends, so the scheduling
   * message in Slack shows its status live. Unset: nothing is told.
   */
  onInterviewStatusChange?: ((interviewId: string) => void) | undefined;
  /** Fault-suite crash points (FAULT_POINTS, test only); unset everywhere else. */
  faultPoint?: TFaultPoint | undefined;
};
