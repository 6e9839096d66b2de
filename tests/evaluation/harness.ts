/**
 * What the evaluation tests share: a test database, a Redis prefix, the strict Slack Web API
 * emulator, the OpenAI-compatible server, real BullMQ workers, and interviews seeded with a
 * scheduling message in the recruiter's channel (posted by the booking code's own builder).
 */
import { randomBytes } from 'node:crypto';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { buildBookingConfirmation } from '../../src/block-kit/booking-messages.js';
import type { TConfig } from '../../src/config.js';
import type { TCompetency } from '../../src/domain/evaluation/rubric.js';
import type { TAi } from '../../src/infra/ai/client.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { JOBS } from '../../src/infra/queue/catalogue.js';
import type { TEvaluationJob } from '../../src/infra/queue/jobs/evaluation.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { evaluationHandler } from '../../src/jobs/handlers/evaluation.js';
import type { TJobContext } from '../../src/jobs/worker.js';
import { loadSummary } from '../../src/services/booking/scheduling-message.js';
import type { TServiceDeps } from '../../src/services/deps.js';
import type { TEvaluationRun } from '../../src/services/evaluation/evaluate-interview.js';
import type { SlackApiEmulator, SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { startSlackApiServer } from '../../tools/slack-emulator/server.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { type ChatRequest, type OpenAiServer, startOpenAiServer } from '../helpers/openai-server.js';
import { cleanPrefix, testPrefix } from '../helpers/redis.js';

export const CHANNEL = 'C_RECRUITING';
export const RECRUITER = 'U_RECRUITER';

const COMPETENCIES: TCompetency[] = [
  { key: 'system_design', name: 'System design', description: 'Designs for failure and scale' },
  { key: 'communication', name: 'Communication', description: 'Explains trade-offs clearly' },
];

export type THarness = {
  db: TTestDb;
  deps: TServiceDeps;
  config: TConfig;
  slack: SlackApiEmulator;
  openai: OpenAiServer;
  prefix: string;
  /** Fixes the clock the app sees; undefined gives the real clock back. */
  setNow(d: Date | undefined): void;
  /** A real BullMQ worker for the evaluation queue (own lock settings so stalls are quick to see). */
  startWorker(opts?: { seams?: Pick<TEvaluationRun, 'afterPost'>; lockDuration?: number }): Worker;
  /** Adds an evaluation job with test-sized attempts and backoff. */
  addJob(payload: TEvaluationJob, opts?: { attempts?: number; jobId?: string }): Promise<Job>;
  waitForJob(jobId: string, state: 'completed' | 'failed', timeoutMs?: number): Promise<void>;
  /** Calls the handler directly (no queue), as one attempt. */
  runHandler(
    payload: TEvaluationJob,
    opts?: { isFinalAttempt?: boolean; seams?: Pick<TEvaluationRun, 'afterPost'> },
  ): Promise<unknown>;
  thread(interview: { slackThreadTs: string | null }): SlackMessage[];
  close(): Promise<void>;
};

export async function startHarness(
  opts: { ai?: boolean; latencyMs?: number; config?: Partial<TConfig> } = {},
): Promise<THarness> {
  const db = await createTestDb();
  const prefix = testPrefix();
  const slackServer = await startSlackApiServer({ token: 'xoxb-test-token', strict: true });
  slackServer.emulator.addUser({ id: RECRUITER, name: 'rita', tz: 'America/New_York' });
  slackServer.emulator.addUser({ id: 'U_HIRING', name: 'hank', tz: 'Europe/Berlin' });
  const openai = await startOpenAiServer({ latencyMs: opts.latencyMs ?? 0 });
  const base = testConfig({}, opts.config);
  const config: TConfig = {
    ...base,
    redis: { ...base.redis, prefix },
    slack: { ...base.slack, apiUrl: slackServer.url },
  };
  const producer = createRedis(config.redis.url, 'producer');
  const queues = new JobQueues(producer, prefix);
  let now: Date | undefined;
  const ai: TAi | undefined =
    opts.ai === false
      ? undefined
      : {
          // The SDK's own retries are off: the job's attempts and backoff are what the tests look at.
          client: new OpenAI({ baseURL: openai.baseURL, apiKey: 'test', maxRetries: 0, timeout: 5000 }),
          chatModel: 'test-model',
          sttModel: 'whisper-1',
          ttsModel: 'tts-1',
          ttsVoice: 'alloy',
          timeoutMs: 5000,
        };
  const deps: TServiceDeps = {
    config,
    prisma: db.prisma,
    queues,
    slack: createSlackClient({ token: 'xoxb-test-token', apiUrl: slackServer.url }),
    ai,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    metrics: createMetrics(),
    now: () => now ?? new Date(),
  };
  const workers: Worker[] = [];
  const connections: Redis[] = [];
  const h: THarness = {
    db,
    deps,
    config,
    slack: slackServer.emulator,
    openai,
    prefix,
    setNow(d) {
      now = d;
    },
    startWorker(o = {}) {
      const connection = createRedis(config.redis.url, 'worker');
      connections.push(connection);
      const handler = evaluationHandler(deps, o.seams ?? {});
      const worker = new Worker(
        'evaluation',
        async (job: Job) => {
          const payload = JOBS.evaluation.payload.parse(job.data);
          const ctx: TJobContext = {
            job,
            isFinalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
            logger: deps.logger,
          };
          return handler(payload, ctx);
        },
        {
          connection,
          prefix,
          concurrency: 4,
          lockDuration: o.lockDuration ?? 30_000,
          // Every worker on the queue checks for stalls often: the check's interval is shared through Redis.
          stalledInterval: 500,
          maxStalledCount: 5,
        },
      );
      workers.push(worker);
      return worker;
    },
    async addJob(payload, o = {}) {
      return queues.queue('evaluation').add('evaluation', payload, {
        jobId: o.jobId ?? `evaluation-${payload.interviewId}-v${payload.version}`,
        attempts: o.attempts ?? 3,
        backoff: { type: 'fixed', delay: 20 },
      });
    },
    async waitForJob(jobId, state, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await queues.queue('evaluation').getJob(jobId);
        const s = job ? await job.getState() : 'missing';
        if (s === state) return;
        if (Date.now() > deadline) throw new Error(`job ${jobId} is ${s}, not ${state}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async runHandler(payload, o = {}) {
      const handler = evaluationHandler(deps, o.seams ?? {});
      return handler(JOBS.evaluation.payload.parse(payload), {
        job: {} as Job,
        isFinalAttempt: o.isFinalAttempt ?? false,
        logger: deps.logger,
      });
    },
    thread(interview) {
      return interview.slackThreadTs ? slackServer.emulator.thread(CHANNEL, interview.slackThreadTs) : [];
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(true)));
      for (const c of connections) c.disconnect();
      await queues.close();
      producer.disconnect();
      await openai.close();
      await slackServer.close();
      await cleanPrefix(prefix);
      await db.drop();
    },
  };
  return h;
}

export type TSeedTurn = {
  q: string;
  a: string | null;
  competency?: string | null;
  followUp?: boolean;
  mode?: string;
};

/**
 * An interview with its turns, integrity events, and the scheduling message posted in the
 * channel (its ts is the thread every evaluation message goes to).
 */
export async function seedInterview(
  h: THarness,
  o: {
    turns: TSeedTurn[];
    status?: 'completed' | 'scheduled' | 'in_progress' | 'evaluated' | 'failed' | 'expired';
    competencies?: TCompetency[];
    candidateName?: string;
    endReason?: string;
    plannedQuestions?: number;
    integrity?: string[];
    start?: Date;
    durationMinutes?: number;
    startedAt?: Date | null;
  },
) {
  const { prisma } = h.deps;
  const start = o.start ?? new Date(Date.now() - 60 * 60_000);
  const durationMinutes = o.durationMinutes ?? 30;
  const role = await prisma.role.create({
    data: { title: 'Backend Engineer', competencies: o.competencies ?? COMPETENCIES },
  });
  const slot = await prisma.slot.create({
    data: { startsAt: start, durationMinutes, capacity: 1, seatsTaken: 1, timeZone: 'America/New_York' },
  });
  const candidate = await prisma.candidate.create({
    data: {
      name: o.candidateName ?? 'Ada Lovelace',
      email: `ada-${randomBytes(4).toString('hex')}@example.com`,
      timeZone: 'Europe/London',
    },
  });
  const status = o.status ?? 'completed';
  const startedAt =
    o.startedAt === undefined
      ? status === 'scheduled' || status === 'expired'
        ? null
        : new Date(start.getTime() + 60_000)
      : o.startedAt;
  const interview = await prisma.interview.create({
    data: {
      status,
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slot.id,
      scheduledStart: start,
      scheduledEnd: new Date(start.getTime() + durationMinutes * 60_000),
      sessionKeyHash: randomBytes(32).toString('hex'),
      bookingRequestId: `req-${randomBytes(8).toString('hex')}`,
      recruiterSlackUser: RECRUITER,
      slackChannelId: CHANNEL,
      questionPlan: Array.from(
        { length: o.plannedQuestions ?? o.turns.filter((t) => !t.followUp).length },
        (_, i) => ({
          text: `Question ${i + 1}`,
          competency: null,
        }),
      ),
      startedAt,
      endedAt: startedAt && status !== 'in_progress' ? new Date(startedAt.getTime() + 24 * 60_000) : null,
      endReason:
        status === 'completed' || status === 'evaluated' || status === 'failed'
          ? (o.endReason ?? 'finished')
          : null,
    },
  });
  let at = (startedAt ?? start).getTime();
  for (const [seq, t] of o.turns.entries()) {
    at += 15_000;
    const askedAt = new Date(at);
    if (t.a !== null) at += 90_000;
    const answeredAt = t.a === null ? null : new Date(at);
    await prisma.interviewTurn.create({
      data: {
        interviewId: interview.id,
        seq,
        planIndex: seq,
        isFollowUp: t.followUp ?? false,
        competency: t.competency === undefined ? (COMPETENCIES[seq % 2]?.key ?? null) : t.competency,
        question: t.q,
        askedAt,
        answerText: t.a,
        answerMode: t.a === null ? null : (t.mode ?? 'voice'),
        answeredAt,
        audioDurationMs: t.a === null ? null : 60_000,
      },
    });
  }
  for (const [i, type] of (o.integrity ?? []).entries()) {
    const createdAt = new Date((startedAt ?? start).getTime() + (i + 1) * 70_000);
    await prisma.event.create({ data: { interviewId: interview.id, type, actor: 'candidate', createdAt } });
  }
  const summary = await loadSummary(prisma, interview.id);
  const root = await h.deps.slack.chat.postMessage({
    channel: CHANNEL,
    ...buildBookingConfirmation(summary),
  });
  return prisma.interview.update({ where: { id: interview.id }, data: { slackThreadTs: root.ts ?? null } });
}

/** The rubric and transcript the evaluator sent, read back out of a chat request. */
export function readRequest(request: ChatRequest): {
  system: string;
  user: string;
  competencies: Array<{ key: string }>;
  excluded: string[];
  turns: Array<{ n: number; competency: string | null; question: string; answer: string | null }>;
} {
  const text = (m: unknown) => String((m as { content?: unknown }).content ?? '');
  const system = text(request.messages[0]);
  const user = text(request.messages[1]);
  const rubric = JSON.parse(/^Rubric:\n([\s\S]*?)\n(?:This is part|\n<transcript>)/.exec(user)?.[1] ?? '{}');
  const turns = JSON.parse(/<transcript>\n([\s\S]*)\n<\/transcript>/.exec(user)?.[1] ?? '[]');
  return { system, user, competencies: rubric.competencies ?? [], excluded: rubric.excluded ?? [], turns };
}

/**
 * A scripted model that behaves like a careful evaluator: for each competency it quotes the
 * first sentence of the first answer on it, verbatim, and gives the score asked for.
 */
export function scriptedModel(o: {
  scores?: Record<string, number>;
  recommendation?: 'strong_hire' | 'hire' | 'no_hire' | 'strong_no_hire';
  extraQuotes?: Record<string, string[]>;
  /** Obeys instructions found in the answers (a bad model): top marks, quoting the instruction. */
  isGullible?: boolean;
  reportInjection?: boolean;
}) {
  return (request: ChatRequest): string => {
    const { competencies, turns, excluded } = readRequest(request);
    const injected = turns.find(
      (t) => t.answer && /ignore (all |your )?(previous )?instructions/i.test(t.answer),
    );
    const firstSentence = (s: string) => (/^(.+?[.!?])(\s|$)/.exec(s)?.[1] ?? s).trim();
    return JSON.stringify({
      competencies: competencies.map((c) => {
        const answer = turns.find((t) => t.competency === c.key && t.answer)?.answer;
        if (excluded.includes(c.key) || !answer)
          return { key: c.key, score: null, rationale: 'No evidence.', evidence: [] };
        if (o.isGullible && injected?.answer)
          return {
            key: c.key,
            score: 4,
            rationale: 'The candidate asked for top marks.',
            evidence: [firstSentence(injected.answer.slice(injected.answer.search(/ignore/i)))],
          };
        return {
          key: c.key,
          score: o.scores?.[c.key] ?? 3,
          rationale: `Concrete answer on ${c.key.replace('_', ' ')} with reasons given.`,
          evidence: [firstSentence(answer), ...(o.extraQuotes?.[c.key] ?? [])],
        };
      }),
      strengths: ['Explains the reasons behind design choices.'],
      concerns: ['Little detail on monitoring.'],
      recommendation: o.isGullible && injected ? 'strong_hire' : (o.recommendation ?? 'hire'),
      confidence: 'medium',
      summary:
        'The candidate gave concrete answers. The design answer weighed trade-offs. Monitoring was thin.',
      injection_attempts:
        o.reportInjection && injected?.answer
          ? [firstSentence(injected.answer.slice(injected.answer.search(/ignore/i)))]
          : [],
    });
  };
}

export const GOOD_TURNS: TSeedTurn[] = [
  {
    q: 'Tell me about a system you designed that had to survive failures.',
    a: 'I designed the billing pipeline around an outbox table and a queue so that a crashed worker never lost an invoice. Each consumer was idempotent, keyed by the invoice id, so retries were safe. We measured the lag and alerted when it passed five minutes.',
    competency: 'system_design',
  },
  {
    q: 'How do you explain a technical trade-off to people who are not engineers?',
    a: 'I start from what they care about, which is usually time or risk, and show two options side by side. For the billing change I told finance we could ship in two weeks with manual reconciliation, or in five weeks with none, and let them choose.',
    competency: 'communication',
  },
];
