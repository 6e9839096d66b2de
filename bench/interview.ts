/**
 * Interview room benchmark: N simulated candidates at once (default 300, up to
 * 1,000) take an interview over the real WebSocket protocol (typed answers)
 * against the real portal, PostgreSQL and Redis, with the OpenAI-compatible
 * test server answering after a fixed 200 ms. Reports the server's own added
 * latency per turn (answer sent → next question received, minus the model's
 * 200 ms for the follow-up decision) and the process's peak memory, as one JSON line.
 *
 *   npx tsx bench/interview.ts [--candidates 300] [--questions 4] [--latency 200] [--think-ms 1000] [--ramp-ms 1000]
 *
 * --think-ms is the simulated candidate's time between a question and the answer
 * (uniformly 0.5×–1.5× of it, so rooms do not move in lockstep); 0 turns the run
 * into a closed-loop stress test where queueing dominates.
 *
 * Server and simulated browsers share this process, so the memory figure is an
 * upper bound for the portal alone. Needs PostgreSQL (TEST_DATABASE_URL) and Redis.
 */
import { parseArgs } from 'node:util';
import { WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import type { TConfig } from '../src/config.js';
import { generateSessionKey, hashSessionKey } from '../src/domain/session-key.js';
import { createAi } from '../src/infra/ai/client.js';
import { createPrisma, type PrismaClient } from '../src/infra/db/client.js';
import { createLogger } from '../src/infra/logger.js';
import { createMetrics } from '../src/infra/metrics.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { buildPortal } from '../src/portal/app.js';
import { testConfig } from '../tests/helpers/config.js';
import { startOpenAiServer } from '../tests/helpers/openai-server.js';
import { cleanPrefix, testPrefix } from '../tests/helpers/redis.js';
import { cpuMs, createBenchDb, percentile, rssMb, startServer } from './harness.js';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '300' },
    questions: { type: 'string', default: '4' },
    latency: { type: 'string', default: '200' },
    'think-ms': { type: 'string', default: '1000' },
    'ramp-ms': { type: 'string', default: '1000' },
    // `process`: the portal runs in a child process, so the simulated browsers and the model
    // stand-in (this process) do not share its CPU; memory and CPU are then the portal's own.
    server: { type: 'string', default: 'inline' },
    serve: { type: 'boolean', default: false },
  },
});
const N = Math.min(1000, Math.max(1, Number(values.candidates)));
const QUESTIONS = Math.min(30, Math.max(1, Number(values.questions)));
const MODEL_MS = Math.max(0, Number(values.latency));
const THINK_MS = Math.max(0, Number(values['think-ms']));
const RAMP_MS = Math.max(0, Number(values['ramp-ms']));

async function main() {
  let peakRss = process.memoryUsage().rss;
  let portalPid: number | undefined;
  const sampler = setInterval(() => {
    if (portalPid === undefined) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    else void rssMb(portalPid).then((mb) => (peakRss = Math.max(peakRss, mb * 1024 * 1024)));
  }, 50);

  const db = await createBenchDb();
  const prisma = createPrisma(db.url, { maxConnections: 20 });

  // The model never asks a follow-up here, so every turn costs exactly one model call.
  const openai = await startOpenAiServer({ latencyMs: MODEL_MS, chatHandler: () => '{"action":"next"}' });
  const prefix = testPrefix();
  const config = testConfig({ OPENAI_BASE_URL: openai.baseURL, LOG_LEVEL: 'silent' });
  const producer = createRedis(config.redis.url, 'producer');
  const queues = new JobQueues(producer, prefix);
  const portal =
    values.server === 'process'
      ? await startServer('bench/interview.ts', ['--serve'], {
          BENCH_DATABASE_URL: db.url,
          BENCH_QUEUE_PREFIX: prefix,
          BENCH_OPENAI_BASE_URL: openai.baseURL,
        })
      : undefined;
  const app = portal ? undefined : await benchPortal(config, prisma, queues, prefix);
  const base = (portal?.url ?? (await app!.listen({ host: '127.0.0.1', port: 0 }))).replace('http', 'ws');
  if (portal) {
    portalPid = portal.pid;
    peakRss = 0;
  }

  const role = await prisma.role.create({ data: { title: 'Bench Engineer', questionCount: QUESTIONS } });
  const start = new Date(Date.now() - 60_000);
  const slot = await prisma.slot.create({
    data: { startsAt: start, durationMinutes: 60, capacity: N, seatsTaken: N, timeZone: 'UTC' },
  });
  const plan = Array.from({ length: QUESTIONS }, (_, i) => ({
    text: `Benchmark question ${i + 1}?`,
    competency: null,
  }));
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    const key = generateSessionKey();
    keys.push(key);
    const candidate = await prisma.candidate.create({
      data: { name: `Candidate ${i}`, email: `bench-${i}@example.test`, timeZone: 'UTC' },
    });
    await prisma.interview.create({
      data: {
        candidateId: candidate.id,
        roleId: role.id,
        slotId: slot.id,
        scheduledStart: start,
        scheduledEnd: new Date(start.getTime() + 60 * 60_000),
        sessionKeyHash: hashSessionKey(key),
        bookingRequestId: `bench-${prefix}-${i}`,
        recruiterSlackUser: 'U_BENCH',
        slackChannelId: 'C_BENCH',
        questionPlan: plan,
        planPreparedAt: new Date(),
      },
    });
  }

  const turnMs: number[] = [];
  const errors: string[] = [];
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const portalCpuBefore = portal ? await cpuMs(portal.pid) : 0;
  let reconnects = 0;
  // Like the browser: reconnect after a dropped or refused connection, and on the
  // server's state after a reconnect carry on at its current question.
  const candidate = (key: string, c: number) =>
    new Promise<void>((resolve) => {
      let attempts = 0;
      let done = false;
      const connect = () => {
        const ws = new WebSocket(`${base}/interview/ws`);
        let n = 0;
        let sentAt = 0;
        let answering = false;
        const send = (m: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, id: `m${++n}`, ...m }));
        const answer = (seq: number) => {
          if (ws.readyState !== ws.OPEN) return;
          answering = true;
          sentAt = performance.now();
          send({
            type: 'answer',
            seq,
            clientId: `bench-${c}-${seq}`,
            text: `Answer ${seq} from ${c}.`,
            mode: 'typed',
          });
        };
        const later = (seq: number) =>
          THINK_MS === 0 ? answer(seq) : setTimeout(() => answer(seq), THINK_MS * (0.5 + Math.random()));
        ws.on('open', () => send({ type: 'hello', key }));
        ws.on('message', (raw) => {
          const m = JSON.parse(raw.toString());
          if (m.type === 'state') {
            if (m.state.status === 'not_started') send({ type: 'start', consent: true });
            else if (m.state.status === 'in_progress' && m.state.current) later(m.state.current.seq);
            else if (m.state.status === 'completed') {
              done = true;
              ws.close();
            }
          } else if (m.type === 'question') {
            if (answering) turnMs.push(performance.now() - sentAt);
            answering = false;
            later(m.turn.seq);
          } else if (m.type === 'completed') {
            if (answering) turnMs.push(performance.now() - sentAt);
            done = true;
            ws.close();
          } else if (m.type === 'error') errors.push(`${m.code}: ${m.message}`);
        });
        ws.on('error', () => undefined);
        ws.on('close', () => {
          if (done || attempts >= 8) return resolve();
          attempts += 1;
          reconnects += 1;
          setTimeout(connect, 250 * attempts);
        });
      };
      // Candidates arrive over RAMP_MS, not in the same millisecond.
      setTimeout(connect, (RAMP_MS * c) / N);
    });
  await Promise.all(keys.map((key, c) => candidate(key, c)));
  const wallMs = performance.now() - began;
  const cpu = process.cpuUsage(cpuBefore);
  const portalCpu = portal ? (await cpuMs(portal.pid)) - portalCpuBefore : undefined;
  clearInterval(sampler);
  const completed = await prisma.interview.count({ where: { status: 'completed' } });
  const added = turnMs.map((t) => t - MODEL_MS);
  console.log(
    JSON.stringify({
      bench: 'interview',
      candidates: N,
      questions: QUESTIONS,
      modelLatencyMs: MODEL_MS,
      thinkMs: THINK_MS,
      rampMs: RAMP_MS,
      turns: turnMs.length,
      completed,
      reconnects,
      errors: errors.length,
      errorKinds: Object.fromEntries(
        [...new Set(errors)].slice(0, 5).map((e) => [e, errors.filter((x) => x === e).length]),
      ),
      turnP50Ms: Math.round(percentile(turnMs, 0.5)),
      turnP95Ms: Math.round(percentile(turnMs, 0.95)),
      addedP50Ms: Math.round(percentile(added, 0.5)),
      addedP95Ms: Math.round(percentile(added, 0.95)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      // CPU of this process (portal, model stand-in and simulated browsers) per turn: unlike
      // the latencies, it does not depend on what else the machine is running.
      cpuMsPerTurn: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, turnMs.length)) * 10) / 10,
      ...(portalCpu === undefined
        ? {}
        : {
            server: 'process',
            // Here peakRssMb is the portal process alone; this is its CPU per turn.
            portalCpuMsPerTurn: Math.round((portalCpu / Math.max(1, turnMs.length)) * 10) / 10,
          }),
      wallMs: Math.round(wallMs),
    }),
  );

  await (portal ? portal.stop() : app!.close());
  await queues.close();
  producer.disconnect();
  await openai.close();
  await prisma.$disconnect();
  await db.drop();
  await cleanPrefix(prefix);
}

/** The portal under test, the same in both layouts. */
function benchPortal(config: TConfig, prisma: PrismaClient, queues: JobQueues, prefix: string) {
  return buildPortal({
    config: { ...config, redis: { ...config.redis, prefix } },
    prisma,
    queues,
    slack: new WebClient('xoxb-bench', { slackApiUrl: 'http://127.0.0.1:9/api/' }),
    ai: createAi(config.ai),
    logger: createLogger('silent'),
    metrics: createMetrics(),
    now: () => new Date(),
  });
}

/** Child side of `--server process`: the portal alone, printing `ready <url>`. */
async function serve() {
  const env = process.env;
  const config = testConfig({ OPENAI_BASE_URL: env.BENCH_OPENAI_BASE_URL ?? '', LOG_LEVEL: 'silent' });
  const prisma = createPrisma(env.BENCH_DATABASE_URL ?? '', { maxConnections: 20 });
  const producer = createRedis(config.redis.url, 'producer');
  const queues = new JobQueues(producer, env.BENCH_QUEUE_PREFIX ?? '');
  const app = await benchPortal(config, prisma, queues, env.BENCH_QUEUE_PREFIX ?? '');
  process.stdout.write(`ready ${await app.listen({ host: '127.0.0.1', port: 0 })}\n`);
  process.on('SIGTERM', () => {
    void (async () => {
      await app.close();
      await queues.close();
      producer.disconnect();
      await prisma.$disconnect();
      process.exit(0);
    })();
  });
}

(values.serve ? serve() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
