/**
 * Email benchmark: 1,000 invites through the whole pipeline (BullMQ job → claim row in
 * PostgreSQL → render text/HTML/ICS → pooled SMTP → record sent → Slack note → reminders)
 * to a real local SMTP server, against a baseline of nodemailer sending one pre-rendered
 * message 1,000 times over the same kind of pool, in the same run.
 *
 * Reports both times, the ratio (baseline ms / pipeline ms; target ≥ 0.7) and the number of
 * duplicate deliveries (by Message-ID; must be 0). Needs PostgreSQL and Redis (as the tests do).
 *   npx tsx bench/email.ts [count]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { startSlackApiServer } from '../src/dev/slack-api/server.js';
import { generateSessionKey, hashSessionKey } from '../src/domain/session-key.js';
import { interviewWindow } from '../src/domain/window.js';
import { createPrisma } from '../src/infra/db/client.js';
import { migrate } from '../src/infra/db/migrate.js';
import { createLogger } from '../src/infra/logger.js';
import { createMailer } from '../src/infra/mail/mailer.js';
import { createMetrics } from '../src/infra/metrics.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { createSlackClient } from '../src/infra/slack/client.js';
import { emailHandler } from '../src/jobs/handlers/email.js';
import { startWorker } from '../src/jobs/worker.js';
import { renderEmail } from '../src/services/email/render.js';
import { emailJobId } from '../src/services/email/send-email.js';
import { testConfig } from '../tests/helpers/config.js';
import { ADMIN_URL, databaseUrl } from '../tests/helpers/pg-urls.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../tests/helpers/redis.js';
import { startSmtpServer } from '../tests/helpers/smtp.js';

const COUNT = Number(process.argv[2] ?? 1000);
const CONNECTIONS = 5;
const CONCURRENCY = 16;

async function main() {
  const dbName = `panelist_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await migrate(databaseUrl(dbName));
  const prisma = createPrisma(databaseUrl(dbName), { maxConnections: 20 });
  // The mail server and Slack run in another process, as they would in production: they must
  // not share the benchmarked process's event loop (or its CPU time would count against us).
  const peers = await startPeers();
  const smtp = peers.smtp;
  const slack = peers.slack;
  const prefix = testPrefix();
  const config = testConfig({
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: prefix,
    MAIL_FROM: 'Acme Interviews <interviews@acme.test>',
  });
  const logger = createLogger('silent');
  const producer = createRedis(TEST_REDIS_URL, 'producer');
  const workerConn = createRedis(TEST_REDIS_URL, 'worker');
  const queues = new JobQueues(producer, prefix);
  const mailer = createMailer(config, logger, { maxConnections: CONNECTIONS });

  try {
    // Fixtures: COUNT interviews, each with its own candidate and key.
    const start = new Date(Date.now() + 7 * 24 * 3600_000);
    const end = new Date(start.getTime() + 45 * 60_000);
    const role = await prisma.role.create({ data: { title: 'Backend Engineer' } });
    const slot = await prisma.slot.create({
      data: { startsAt: start, durationMinutes: 45, capacity: COUNT, seatsTaken: COUNT, timeZone: 'UTC' },
    });
    const root = await createSlackClient({ token: 'xoxb-test-token', apiUrl: slack.url }).chat.postMessage({
      channel: 'C_RECRUITING',
      text: 'bench',
    });
    const keys: Array<{ interviewId: string; sessionKey: string }> = [];
    for (let i = 0; i < COUNT; i += 200) {
      const batch = Array.from({ length: Math.min(200, COUNT - i) }, (_, j) => ({
        id: crypto.randomUUID(),
        name: `Candidate ${i + j}`,
        email: `c${i + j}@example.com`,
        timeZone: 'Europe/Berlin',
      }));
      await prisma.candidate.createMany({ data: batch });
      const interviews = batch.map((c) => {
        const sessionKey = generateSessionKey();
        const id = crypto.randomUUID();
        keys.push({ interviewId: id, sessionKey });
        return {
          id,
          candidateId: c.id,
          roleId: role.id,
          slotId: slot.id,
          scheduledStart: start,
          scheduledEnd: end,
          sessionKeyHash: hashSessionKey(sessionKey),
          bookingRequestId: `bench-${id}`,
          recruiterSlackUser: 'U_RECRUITER',
          recruiterEmail: 'rita@acme.test',
          slackChannelId: 'C_RECRUITING',
          slackThreadTs: root.ts ?? null,
        };
      });
      await prisma.interview.createMany({ data: interviews });
    }

    // Baseline: one pre-rendered invite sent COUNT times by nodemailer over a pool of the same size.
    const message = renderEmail({
      kind: 'invite',
      interviewId: keys[0]!.interviewId,
      revision: 1,
      candidate: { name: 'Candidate 0', email: 'c0@example.com', timeZone: 'Europe/Berlin' },
      roleTitle: 'Backend Engineer',
      companyName: 'Acme',
      start,
      end,
      link: `http://portal.test/interview?session_key=${keys[0]!.sessionKey}`,
      window: interviewWindow(start, end, config.interview),
      recruiterEmail: 'rita@acme.test',
      from: config.mail.from,
      now: new Date(),
    });
    const baseline = nodemailer.createTransport({ url: smtp.url, pool: true, maxConnections: CONNECTIONS });
    const payload = {
      from: message.from,
      to: message.to,
      replyTo: message.replyTo,
      subject: message.subject,
      text: message.text,
      html: message.html,
      icalEvent: message.calendar,
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < COUNT) {
          next++;
          await baseline.sendMail(payload);
        }
      }),
    );
    const baselineMs = performance.now() - t0;
    const baselineCpu = process.cpuUsage(cpu0);
    baseline.close();
    await peers.waitFor(COUNT, 30_000);
    await peers.reset();

    // Pipeline: COUNT invite jobs through the real worker.
    const deps = {
      config,
      prisma,
      queues,
      slack: createSlackClient({ token: 'xoxb-test-token', apiUrl: slack.url }),
      ai: undefined,
      logger,
      metrics: createMetrics(),
      now: () => new Date(),
      mailer,
    };
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    await queues.queue('email').addBulk(
      keys.map((k) => ({
        name: 'email',
        data: { interviewId: k.interviewId, kind: 'invite', revision: 1, sessionKey: k.sessionKey },
        opts: { jobId: emailJobId(k.interviewId, 'invite', 1) },
      })),
    );
    const worker = startWorker('email', emailHandler(deps), {
      connection: workerConn,
      prefix,
      logger,
      concurrency: CONCURRENCY,
    });
    await peers.waitFor(COUNT, 120_000);
    for (;;) {
      const sent = await prisma.emailDelivery.count({ where: { status: 'sent' } });
      if (sent >= COUNT) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const pipelineMs = performance.now() - t1;
    const pipelineCpu = process.cpuUsage(cpu1);
    const cpuMsPer = (u: NodeJS.CpuUsage) => Number(((u.user + u.system) / 1000 / COUNT).toFixed(2));
    await worker.close();
    // Settle: anything late would show up as a duplicate.
    await new Promise((r) => setTimeout(r, 500));
    const { count: delivered, unique } = await peers.count();
    const duplicates = delivered - unique;

    const row = {
      bench: 'email',
      invites: COUNT,
      delivered,
      duplicates,
      pipeline_ms: Math.round(pipelineMs),
      baseline_ms: Math.round(baselineMs),
      pipeline_per_s: Math.round((COUNT / pipelineMs) * 1000),
      baseline_per_s: Math.round((COUNT / baselineMs) * 1000),
      ratio: Number((baselineMs / pipelineMs).toFixed(2)),
      // CPU time of this process per message: what the pipeline adds on top of SMTP itself.
      pipeline_cpu_ms_per_invite: cpuMsPer(pipelineCpu),
      baseline_cpu_ms_per_invite: cpuMsPer(baselineCpu),
      load_average_1m: Number(os.loadavg()[0]!.toFixed(1)),
      target_ratio: 0.7,
      smtp_connections: CONNECTIONS,
      worker_concurrency: CONCURRENCY,
    };
    await report(row);
    if (duplicates !== 0 || delivered !== COUNT) process.exitCode = 1;
  } finally {
    await queues.close();
    await mailer.close();
    producer.disconnect();
    workerConn.disconnect();
    await peers.close();
    await prisma.$disconnect();
    await cleanPrefix(prefix);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

type TPeers = {
  smtp: { url: string };
  slack: { url: string };
  count(): Promise<{ count: number; unique: number }>;
  waitFor(n: number, timeoutMs: number): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
};

/** Starts `bench/email.ts peers` in a child process and talks to it line by line. */
async function startPeers(): Promise<TPeers> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'peers'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const ask = (cmd: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      if (cmd) child.stdin!.write(`${cmd}\n`);
    });
  const urls = JSON.parse(await ask('')) as { smtp: string; slack: string };
  const count = async () => JSON.parse(await ask('count')) as { count: number; unique: number };
  return {
    smtp: { url: urls.smtp },
    slack: { url: urls.slack },
    count,
    async waitFor(n, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while ((await count()).count < n) {
        if (Date.now() > until) throw new Error(`only ${(await count()).count} of ${n} messages arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async reset() {
      await ask('reset');
    },
    async close() {
      await ask('close');
      child.kill();
    },
  };
}

/** The child side: a real SMTP server and the Slack API emulator. */
async function servePeers(): Promise<void> {
  const smtp = await startSmtpServer();
  const slack = await startSlackApiServer({ token: 'xoxb-test-token' });
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  out({ smtp: smtp.url, slack: slack.url });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'count') {
      const ids = smtp.messages.map((m) => m.parsed.messageId);
      out({ count: ids.length, unique: new Set(ids).size });
    } else if (line === 'reset') {
      smtp.reset();
      out({ ok: true });
    } else if (line === 'close') {
      await smtp.close();
      await slack.close();
      out({ ok: true });
      process.exit(0);
    }
  }
}

/** Through the bench harness when there is one, else one JSON line on stdout. */
async function report(row: Record<string, unknown>): Promise<void> {
  const harness = new URL('./harness.ts', import.meta.url);
  if (existsSync(harness)) {
    const mod = (await import(harness.href)) as { writeRow?: (row: Record<string, unknown>) => unknown };
    if (typeof mod.writeRow === 'function') {
      await mod.writeRow(row);
      return;
    }
  }
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

if (process.argv[2] === 'peers') await servePeers();
else await main();
