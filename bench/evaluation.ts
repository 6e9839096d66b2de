/**
 * Evaluation benchmark: N evaluation jobs end to end (BullMQ job → load the transcript from
 * PostgreSQL → quality gate → model call → grounding → store → Slack post → status updates)
 * against an OpenAI-compatible server with a fixed latency. The figure is Panelist's own
 * overhead per job: handler time minus the model's fixed latency (one call per job here).
 * Also checks that every interview got exactly one evaluation post.
 *
 *   npx tsx bench/evaluation.ts [jobs=200] [modelLatencyMs=250]
 *
 * Three processes: this one seeds the interviews, enqueues the jobs and reads the results; the
 * measured one is Panelist's real worker role (`src/main.ts worker`, configured from the
 * environment as deployed, its default concurrency of 4 evaluation jobs); the Slack emulator
 * and the model server run in a third, as they would be elsewhere in production.
 * Handler time per job is BullMQ's own record (processedOn → finishedOn). A warm-up batch runs
 * first and is not measured.
 *
 * Prints one JSON line. Needs PostgreSQL and Redis (as the tests do).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { buildBookingConfirmation } from '../src/block-kit/booking-messages.js';
import { createPrisma } from '../src/infra/db/client.js';
import { enqueueEvaluation, evaluationJobId } from '../src/infra/queue/jobs/evaluation.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { createSlackClient } from '../src/infra/slack/client.js';
import { loadSummary } from '../src/services/booking/scheduling-message.js';
import { GOOD_TURNS, scriptedModel } from '../tests/evaluation/harness.js';
import { startOpenAiServer } from '../tests/helpers/openai-server.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../tests/helpers/redis.js';
import { startSmtpServer } from '../tests/helpers/smtp.js';
import { startSlackApiServer } from '../tools/slack-emulator/server.js';
import {
  createBenchDb,
  panelistEnv,
  percentile,
  round,
  startServer,
  BENCH_TOKEN as TOKEN,
} from './harness.js';

const IS_PEERS = process.argv[2] === '--peers';
const JOBS_N = Number(process.argv[2] ?? 200);
const LATENCY_MS = Number(process.argv[3] ?? 250);
/** Unmeasured jobs run first, so JIT, pools and connections are warm. */
const WARMUP = Math.max(5, Math.min(20, Math.floor(JOBS_N / 10)));
/** The worker role's evaluation concurrency as deployed (src/jobs/index.ts). */
const CONCURRENCY = 4;
const CHANNEL = 'C_RECRUITING';

const stats = (xs: number[]) => ({
  p50: round(percentile(xs, 0.5)),
  p95: round(percentile(xs, 0.95)),
  max: round(Math.max(...xs)),
});

/** Child process: the peers. Prints `ready <slackUrl> <openaiUrl> <smtpUrl>`. */
async function peers() {
  const slack = await startSlackApiServer({ token: TOKEN });
  const openai = await startOpenAiServer({
    latencyMs: Number(process.argv[3]),
    chatHandler: scriptedModel({}),
  });
  // The worker role in production checks its mail server at start-up; nothing is mailed here.
  const smtp = await startSmtpServer();
  process.stdout.write(`ready ${slack.url} ${openai.baseURL} ${smtp.url}\n`);
  process.stdin.on('data', (d) => {
    if (d.toString().includes('count')) {
      const posts = slack.emulator.messages.filter((m) => m.thread_ts && m.thread_ts !== m.ts).length;
      process.stdout.write(`count ${openai.calls.length} ${posts}\n`);
    }
  });
  process.on(
    'SIGTERM',
    () => void Promise.all([slack.close(), openai.close(), smtp.close()]).then(() => process.exit(0)),
  );
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
  const [, slackUrl = '', openaiUrl = '', smtpUrl = ''] = (await next()).split(' ');
  return {
    slackUrl,
    openaiUrl,
    smtpUrl,
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
  const db = await createBenchDb();
  const prisma = createPrisma(db.url, { maxConnections: 5 });
  const remote = await startPeers();
  const prefix = testPrefix();
  const producer = createRedis(TEST_REDIS_URL, 'producer');
  const queues = new JobQueues(producer, prefix);
  const queue = new Queue('evaluation', { connection: producer, prefix });
  const slack = createSlackClient({ token: TOKEN, apiUrl: remote.slackUrl });
  let worker: Awaited<ReturnType<typeof startServer>> | undefined;

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
    const total = WARMUP + JOBS_N;
    const start = new Date(Date.now() - 3600_000);
    const slot = await prisma.slot.create({
      data: { startsAt: start, durationMinutes: 30, capacity: total, seatsTaken: total, timeZone: 'UTC' },
    });
    const ids: string[] = [];
    for (let i = 0; i < total; i++) {
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
      const root = await slack.chat.postMessage({
        channel: CHANNEL,
        ...buildBookingConfirmation(await loadSummary(prisma, interview.id)),
      });
      await prisma.interview.update({
        where: { id: interview.id },
        data: { slackThreadTs: root.ts ?? null },
      });
      ids.push(interview.id);
    }

    // The measured process: Panelist's worker role, configured as deployed.
    worker = await startServer(
      'src/main.ts',
      ['worker'],
      panelistEnv(
        { databaseUrl: db.url, prefix, slackApiUrl: remote.slackUrl },
        {
          SMTP_URL: remote.smtpUrl,
          OPENAI_BASE_URL: remote.openaiUrl,
          OPENAI_API_KEY: 'bench',
          OPENAI_CHAT_MODEL: 'bench-model',
        },
      ),
      { readyPattern: /Panelist is running/ },
    );

    const runBatch = async (batch: string[]) => {
      for (const id of batch)
        await enqueueEvaluation(queues, { interviewId: id, version: 1, reason: 'completed' });
      const jobs = await waitFor(batch.map((id) => evaluationJobId({ interviewId: id, version: 1 })));
      return jobs;
    };
    const waitFor = async (jobIds: string[]) => {
      for (;;) {
        const jobs = await Promise.all(jobIds.map((id) => queue.getJob(id)));
        if (jobs.every((j) => j?.finishedOn)) return jobs.map((j) => j!);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await runBatch(ids.slice(0, WARMUP));
    const before = await remote.counts();
    const started = performance.now();
    const jobs = await runBatch(ids.slice(WARMUP));
    const wallMs = performance.now() - started;
    const after = await remote.counts();

    const failures = jobs.filter((j) => j.failedReason).length;
    const handlerMs = jobs.filter((j) => !j.failedReason).map((j) => j.finishedOn! - j.processedOn!);
    const modelCalls = after.calls - before.calls;
    const perJobModelMs = (LATENCY_MS * modelCalls) / JOBS_N;
    const overhead = handlerMs.map((ms) => ms - perJobModelMs);
    const measured = ids.slice(WARMUP);
    const posts = await prisma.evaluation.count({
      where: { interviewId: { in: measured }, slackMessageTs: { not: null } },
    });
    const threadPosts = after.posts - before.posts;
    console.log(
      JSON.stringify({
        bench: 'evaluation',
        jobs: JOBS_N,
        warmupJobs: WARMUP,
        concurrency: CONCURRENCY,
        modelLatencyMs: LATENCY_MS,
        modelCalls,
        overheadMs: stats(overhead),
        handlerMs: stats(handlerMs),
        throughputPerSec: round((JOBS_N / wallMs) * 1000),
        failures,
        posts,
        duplicatePosts: threadPosts - posts,
        layout:
          'worker role (src/main.ts worker) in its own process; Slack emulator and model server in another',
      }),
    );
  } finally {
    await worker?.stop();
    await queue.close();
    await queues.close();
    producer.disconnect();
    remote.stop();
    await prisma.$disconnect();
    await cleanPrefix(prefix);
    await db.drop();
  }
}

(IS_PEERS ? peers().then(() => new Promise<void>(() => {})) : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
