/**
 * The real portal for one test file: its own database, a Redis prefix, the
 * OpenAI-compatible test server, and interviews created as the booking worker
 * creates them (only the key's hash stored).
 */
import { WebClient } from '@slack/web-api';
import type { FastifyInstance } from 'fastify';
import type { TConfig } from '../../src/config.js';
import { generateSessionKey, hashSessionKey } from '../../src/domain/session-key.js';
import { createAi } from '../../src/infra/ai/client.js';
import { createLogger, type Logger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { buildPortal } from '../../src/portal/app.js';
import type { TServiceDeps } from '../../src/services/deps.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { type OpenAiServer, type OpenAiServerOptions, startOpenAiServer } from '../helpers/openai-server.js';
import { cleanPrefix, testPrefix } from '../helpers/redis.js';

export type TPortalHarness = {
  app: FastifyInstance;
  db: TTestDb;
  deps: TServiceDeps;
  openai: OpenAiServer | undefined;
  prefix: string;
  setNow(d: Date | undefined): void;
  createInterview(opts?: TInterviewOptions): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
};

type TInterviewOptions = {
  start?: Date;
  minutes?: number;
  status?: 'scheduled' | 'in_progress' | 'cancelled';
  roleTitle?: string;
  questions?: string[];
  questionCount?: number;
  candidateName?: string;
  timeZone?: string;
  plan?: Array<{ text: string; competency: string | null }>;
};

export async function startPortal(
  opts: { ai?: boolean; openai?: OpenAiServerOptions; config?: Partial<TConfig>; logger?: Logger } = {},
): Promise<TPortalHarness> {
  const db = await createTestDb();
  const prefix = testPrefix();
  const openai = opts.ai === false ? undefined : await startOpenAiServer(opts.openai ?? {});
  const base = testConfig(
    openai ? { OPENAI_BASE_URL: openai.baseURL, OPENAI_TIMEOUT_MS: '5000' } : {},
    opts.config,
  );
  const config: TConfig = { ...base, redis: { ...base.redis, prefix } };
  const producer = createRedis(config.redis.url, 'producer');
  // No offline queue: a command before the connection is up fails (and the key limiter fails closed).
  if (producer.status !== 'ready') await new Promise((r) => producer.once('ready', r));
  const queues = new JobQueues(producer, prefix);
  let now: Date | undefined;
  const deps: TServiceDeps = {
    config,
    prisma: db.prisma,
    queues,
    slack: new WebClient('xoxb-test-token', {
      slackApiUrl: 'http://127.0.0.1:9/api/',
      retryConfig: { retries: 0 },
    }),
    ai: createAi(config.ai),
    logger: opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    metrics: createMetrics(),
    now: () => now ?? new Date(),
  };
  const app = await buildPortal(deps);
  let n = 0;
  return {
    app,
    db,
    deps,
    openai,
    prefix,
    setNow(d) {
      now = d;
    },
    async createInterview(o = {}) {
      n += 1;
      const start = o.start ?? new Date(deps.now().getTime() + 60_000);
      const minutes = o.minutes ?? 30;
      const role = await db.prisma.role.create({
        data: {
          title: o.roleTitle ?? 'Backend Engineer',
          description: 'Builds and runs our services.',
          competencies: [{ key: 'design', name: 'system design', description: 'Designs services' }],
          questions: o.questions ?? [],
          questionCount: o.questionCount ?? 3,
        },
      });
      const slot = await db.prisma.slot.create({
        data: { startsAt: start, durationMinutes: minutes, capacity: 5, seatsTaken: 1, timeZone: 'UTC' },
      });
      const candidate = await db.prisma.candidate.create({
        data: {
          name: o.candidateName ?? 'Ada Lovelace',
          email: `ada${n}-${prefix}@example.test`,
          timeZone: o.timeZone ?? 'Europe/London',
        },
      });
      const key = generateSessionKey();
      const interview = await db.prisma.interview.create({
        data: {
          status: o.status ?? 'scheduled',
          candidateId: candidate.id,
          roleId: role.id,
          slotId: slot.id,
          scheduledStart: start,
          scheduledEnd: new Date(start.getTime() + minutes * 60_000),
          sessionKeyHash: hashSessionKey(key),
          bookingRequestId: `booking-${prefix}-${n}`,
          recruiterSlackUser: 'U_RECRUITER',
          recruiterEmail: 'rita@acme.test',
          slackChannelId: 'C_RECRUITING',
          ...(o.plan ? { questionPlan: o.plan, planPreparedAt: new Date() } : {}),
        },
      });
      return { id: interview.id, key };
    },
    async close() {
      await app.close();
      await queues.close();
      producer.disconnect();
      await openai?.close();
      await db.drop();
      await cleanPrefix(prefix);
    },
  };
}

/** The evaluation jobs in the queue for an interview. */
export async function evaluationJobs(h: TPortalHarness, interviewId: string) {
  const jobs = await h.deps.queues
    .queue('evaluation')
    .getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
  return jobs.filter((j) => (j.data as { interviewId: string }).interviewId === interviewId);
}
