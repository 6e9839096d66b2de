import { randomUUID } from 'node:crypto';
/**
 * One email test environment: own database, own queue prefix, the Slack API emulator, a real SMTP
 * server, the real mailer and the real email worker (startWorker with the email handler).
 */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { vi } from 'vitest';
import type { TConfig } from '../../src/config.js';
import { generateSessionKey, hashSessionKey } from '../../src/domain/session-key.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMailer, type TMailer } from '../../src/infra/mail/mailer.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { emailHandler } from '../../src/jobs/handlers/email.js';
import { startWorker } from '../../src/jobs/worker.js';
import type { TMailDeps } from '../../src/services/email/send-email.js';
import { sealForInterview } from '../../src/services/interview/candidate-link.js';
import { startSlackApiServer } from '../../tools/slack-emulator/server.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';

// Workers run beside the test: on a busy 2-core machine the default 1 s of expect.poll is too short.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 50 } } });

export const CHANNEL = 'C_RECRUITING';
export const RECRUITER = 'U_RECRUITER';

export type TEmailEnv = Awaited<ReturnType<typeof startEmailEnv>>;

export async function startEmailEnv(opts: { clock?: { now: Date } } = {}) {
  const db: TTestDb = await createTestDb();
  const smtp: SmtpTestServer = await startSmtpServer();
  const slackServer = await startSlackApiServer({ token: 'xoxb-test-token', strict: true });
  const prefix = testPrefix();
  const config: TConfig = testConfig({
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: prefix,
    MAIL_FROM: 'Acme Interviews <interviews@acme.test>',
  });
  const logger = createLogger('silent');
  const producer: Redis = createRedis(TEST_REDIS_URL, 'producer');
  const workerConn: Redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = new JobQueues(producer, prefix);
  const mailer: TMailer = createMailer(config, logger, { timeoutMs: 3000 });
  const clock = opts.clock;
  const deps: TMailDeps = {
    config,
    prisma: db.prisma,
    queues,
    slack: createSlackClient({ token: 'xoxb-test-token', apiUrl: slackServer.url }),
    ai: undefined,
    logger,
    metrics: createMetrics(),
    now: () => (clock ? clock.now : new Date()),
    mailer,
  };
  const workers: Worker[] = [];
  return {
    db,
    smtp,
    slack: slackServer.emulator,
    slackServer,
    prefix,
    config,
    deps,
    queues,
    mailer,
    workerConn,
    startWorker() {
      const w = startWorker('email', emailHandler(deps), {
        connection: workerConn,
        prefix,
        logger,
        concurrency: 4,
      });
      workers.push(w);
      return w;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(true)));
      await queues.close();
      await mailer.close();
      producer.disconnect();
      workerConn.disconnect();
      await smtp.close();
      await slackServer.close();
      await cleanPrefix(prefix);
      await db.drop();
    },
  };
}

export type TInterviewFixture = {
  interviewId: string;
  sessionKey: string;
  threadTs: string;
  start: Date;
  end: Date;
};

/** An interview as the booking worker leaves it, with its scheduling message in Slack. */
export async function createInterview(
  env: TEmailEnv,
  input: {
    candidateName?: string;
    email?: string;
    timeZone?: string;
    roleTitle?: string;
    start: Date;
    minutes?: number;
    recruiterEmail?: string | null;
  },
): Promise<TInterviewFixture> {
  const minutes = input.minutes ?? 45;
  const end = new Date(input.start.getTime() + minutes * 60_000);
  const root = await env.deps.slack.chat.postMessage({ channel: CHANNEL, text: 'Interview scheduled' });
  const role = await env.db.prisma.role.create({ data: { title: input.roleTitle ?? 'Backend Engineer' } });
  const slot = await env.db.prisma.slot.create({
    data: { startsAt: input.start, durationMinutes: minutes, capacity: 5, seatsTaken: 1, timeZone: 'UTC' },
  });
  const candidate = await env.db.prisma.candidate.create({
    data: {
      name: input.candidateName ?? 'Ann Lee',
      email: input.email ?? `ann.${Math.random().toString(36).slice(2, 8)}@example.com`,
      timeZone: input.timeZone ?? 'Europe/Berlin',
    },
  });
  const sessionKey = generateSessionKey();
  const id = randomUUID();
  const interview = await env.db.prisma.interview.create({
    data: {
      id,
      sessionKeySealed: sealForInterview(env.deps.config, sessionKey, id),
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slot.id,
      scheduledStart: input.start,
      scheduledEnd: end,
      sessionKeyHash: hashSessionKey(sessionKey),
      bookingRequestId: `req-${Math.random().toString(36).slice(2)}`,
      recruiterSlackUser: RECRUITER,
      recruiterEmail: input.recruiterEmail === undefined ? 'rita@acme.test' : input.recruiterEmail,
      slackChannelId: CHANNEL,
      slackThreadTs: root.ts ?? null,
    },
  });
  return { interviewId: interview.id, sessionKey, threadTs: root.ts!, start: input.start, end };
}

/** Visible replies in the interview's thread (the root message excluded). */
export function threadReplies(env: TEmailEnv, threadTs: string) {
  return env.slack.thread(CHANNEL, threadTs).filter((m) => m.ts !== threadTs);
}
