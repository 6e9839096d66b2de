/**
 * Evaluation benchmark: N evaluation jobs end to end (BullMQ job → load the transcript from
 * PostgreSQL → quality gate → model call → grounding → store → Slack post → status updates)
 * against an OpenAI-compatible server with a fixed latency. The figure is Panelist's own
 * overhead per job: handler time minus the model's fixed latency (one call per job here).
 * Also checks that every interview got exactly one evaluation post.
 *
 *   npx tsx bench/evaluation.ts [jobs=200] [modelLatencyMs=250] [concurrency=8]
 *
 * Prints one JSON line. Needs PostgreSQL and Redis (as the tests do). The Slack emulator and the
 * model server run in a child process, as they would be elsewhere in production: their work must
 * not land on the measured process's event loop.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import pg from 'pg';
import { startSlackApiServer } from '../src/dev/slack-api/server.js';
import { createPrisma } from '../src/infra/db/client.js';
import { migrate } from '../src/infra/db/migrate.js';
import { createLogger } from '../src/infra/logger.js';
import { createMetrics } from '../src/infra/metrics.js';
import { jobId } from '../src/infra/queue/catalogue.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { createSlackClient } from '../src/infra/slack/client.js';
import { buildBookingConfirmation } from '../src/infra/slack/messages/booking.js';
import { evaluationHandler } from '../src/jobs/handlers/evaluation.js';
import { closeWorkers, startWorker } from '../src/jobs/worker.js';
import { loadSummary } from '../src/services/booking/notify.js';
import type { TServiceDeps } from '../src/services/deps.js';
import { GOOD_TURNS, scriptedModel } from '../tests/evaluation/harness.js';
import { testConfig } from '../tests/helpers/config.js';
import { startOpenAiServer } from '../tests/helpers/openai-server.js';
import { ADMIN_URL, databaseUrl } from '../tests/helpers/pg-urls.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../tests/helpers/redis.js';

const IS_PEERS = process.argv[2] === '--peers';
const JOBS_N = Number(process.argv[2] ?? 200);
const LATENCY_MS = Number(process.argv[3] ?? 250);
const CONCURRENCY = Number(process.argv[4] ?? 8);
const WARMUP = Math.min(10, Math.floor(JOBS_N / 10));
const CHANNEL = 'C_RECRUITING';

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
const r1 = (v: number) => Math.round(v * 10) / 10;
const stats = (xs: number[]) => ({ p50: r1(pct(xs, 0.5)), p95: r1(pct(xs, 0.95)), max: r1(Math.max(...xs)) });

/** Child process: the peers. Prints `ready <slackUrl> <openaiUrl>`. */
async function peers() {
  const slack = await startSlackApiServer({ token: 'xoxb-bench-token' });
  const openai = await startOpenAiServer({
    latencyMs: Number(process.argv[3]),
    chatHandler: scriptedModel({}),
  });
  process.stdout.write(`ready ${slack.url} ${openai.baseURL}\n`);
  process.stdin.on('data', (d) => {
    if (d.toString().includes('count')) {
      const posts = slack.emulator.messages.filter((m) => m.thread_ts && m.thread_ts !== m.ts).length;
      process.stdout.write(`count ${openai.calls.length} ${posts}\n`);
    }
  });
  process.on('SIGTERM', () => void Promise.all([slack.close(), openai.close()]).then(() => process.exit(0)));
}

async function startPeers() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--peers', String(LATENCY_MS)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  const [, slackUrl = '', openaiUrl = ''] = (await next()).split(' ');
  return {
    slackUrl,
    openaiUrl,
    /** Model calls and thread posts the peers saw. */
    async counts(): Promise<{ calls: number; posts: number }> {
      const line = next();
      child.stdin!.write('count\n');
      const [, calls = '0', posts = '0'] = (await line).split(' ');
      return { calls: Number(calls), posts: Number(posts) };
    },
    stop: () => child.kill('SIGTERM'),
  };
}

async function main() {
  const dbName = `panelist_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await migrate(databaseUrl(dbName));
  const prisma = createPrisma(databaseUrl(dbName), { maxConnections: 20 });
  const remote = await startPeers();
  const prefix = testPrefix();
  const producer = createRedis(TEST_REDIS_URL, 'producer');
  const workerConnection = createRedis(TEST_REDIS_URL, 'worker');
  const queues = new JobQueues(producer, prefix);
  const base = testConfig({});
  const deps: TServiceDeps = {
    config: { ...base, redis: { ...base.redis, prefix } },
    prisma,
    queues,
    slack: createSlackClient({ token: 'xoxb-bench-token', apiUrl: remote.slackUrl }),
    ai: {
      client: new OpenAI({ baseURL: remote.openaiUrl, apiKey: 'bench', maxRetries: 0, timeout: 30_000 }),
      chatModel: 'bench-model',
      sttModel: 'whisper-1',
      ttsModel: 'tts-1',
      ttsVoice: 'alloy',
      timeoutMs: 30_000,
    },
    logger: createLogger('silent'),
    metrics: createMetrics(),
    now: () => new Date(),
  };

  try {
    // Interviews as the portal leaves them: completed, six answered turns, a scheduling message.
    const role = await prisma.role.create({
      data: {
        title: 'Backend Engineer',
        competencies: [
          { key: 'system_design', name: 'System design', description: '' },
          { key: 'communication', name: 'Communication', description: '' },
        ],
      },
    });
    const start = new Date(Date.now() - 3600_000);
    const slot = await prisma.slot.create({
      data: { startsAt: start, durationMinutes: 30, capacity: JOBS_N, seatsTaken: JOBS_N, timeZone: 'UTC' },
    });
    const ids: string[] = [];
    for (let i = 0; i < JOBS_N; i++) {
      const candidate = await prisma.candidate.create({
        data: {
          name: `Candidate ${i}`,
          email: `c${i}-${randomBytes(3).toString('hex')}@bench.test`,
          timeZone: 'UTC',
        },
      });
      const interview = await prisma.interview.create({
        data: {
          status: 'completed',
          candidateId: candidate.id,
          roleId: role.id,
          slotId: slot.id,
          scheduledStart: start,
          scheduledEnd: new Date(start.getTime() + 30 * 60_000),
          sessionKeyHash: randomBytes(32).toString('hex'),
          bookingRequestId: `bench-${randomBytes(8).toString('hex')}`,
          recruiterSlackUser: 'U_BENCH',
          slackChannelId: CHANNEL,
          startedAt: new Date(start.getTime() + 60_000),
          endedAt: new Date(start.getTime() + 25 * 60_000),
          endReason: 'finished',
          turns: {
            create: Array.from({ length: 6 }, (_, seq) => {
              const t = GOOD_TURNS[seq % 2]!;
              return {
                seq,
                planIndex: seq,
                question: t.q,
                answerText: t.a,
                competency: t.competency ?? null,
                answerMode: 'voice',
                askedAt: new Date(start.getTime() + (seq + 1) * 120_000),
                answeredAt: new Date(start.getTime() + (seq + 1) * 120_000 + 90_000),
              };
            }),
          },
        },
      });
      const root = await deps.slack.chat.postMessage({
        channel: CHANNEL,
        ...buildBookingConfirmation(await loadSummary(prisma, interview.id)),
      });
      await prisma.interview.update({
        where: { id: interview.id },
        data: { slackThreadTs: root.ts ?? null },
      });
      ids.push(interview.id);
    }

    const handlerMs: number[] = [];
    let failures = 0;
    const worker = startWorker('evaluation', evaluationHandler(deps), {
      connection: workerConnection,
      prefix,
      logger: deps.logger,
      concurrency: CONCURRENCY,
      observe: ({ ms, ok }) => {
        if (ok) handlerMs.push(ms);
        else failures++;
      },
    });
    const before = await remote.counts();
    const started = performance.now();
    for (const id of ids)
      await queues.enqueue(
        'evaluation',
        { interviewId: id, version: 1, reason: 'completed' },
        { jobId: jobId('evaluation', id, 'v1') },
      );
    while (handlerMs.length + failures < JOBS_N) await new Promise((r) => setTimeout(r, 20));
    const wallMs = performance.now() - started;
    await closeWorkers([worker], 5000);

    const after = await remote.counts();
    const modelCalls = after.calls - before.calls;
    const perJobModelMs = (LATENCY_MS * modelCalls) / JOBS_N;
    const overhead = handlerMs.slice(WARMUP).map((ms) => ms - perJobModelMs);
    const posts = await prisma.evaluation.count({ where: { slackMessageTs: { not: null } } });
    const threadPosts = after.posts;
    console.log(
      JSON.stringify({
        bench: 'evaluation',
        jobs: JOBS_N,
        concurrency: CONCURRENCY,
        modelLatencyMs: LATENCY_MS,
        modelCalls,
        overheadMs: stats(overhead),
        handlerMs: stats(handlerMs.slice(WARMUP)),
        throughputPerSec: r1((JOBS_N / wallMs) * 1000),
        failures,
        posts,
        duplicatePosts: threadPosts - posts,
        peers: 'child process (Slack emulator, OpenAI-compatible server)',
      }),
    );
  } finally {
    await queues.close();
    producer.disconnect();
    workerConnection.disconnect();
    remote.stop();
    await prisma.$disconnect();
    await cleanPrefix(prefix);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

(IS_PEERS ? peers().then(() => new Promise<void>(() => {})) : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
