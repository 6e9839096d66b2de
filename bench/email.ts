/**
 * email: invites through the whole pipeline (BullMQ job → claim row in PostgreSQL → render
 * text/HTML/ICS → pooled SMTP → record sent → Slack note → reminders) to a real SMTP server,
 * against a baseline of nodemailer sending one pre-rendered invite over a pool of the same size.
 *
 * Four processes, as in production: this one (fixtures, enqueueing, the clock), the email worker
 * (`bench/email.ts worker`: the real `startWorkers` wiring with a real mailer), the baseline sender
 * (`bench/email.ts direct`: nodemailer alone, same message, same pool) and the peers (`bench/email.ts
 * peers`: `smtp-server` and the Slack emulator), so neither side's CPU lands on the other.
 * One unmeasured warm-up pass per side, then measured runs alternating pipeline / direct; the
 * figures are the medians. Every pipeline run uses fresh interviews.
 *
 * Reports invites/s for both, their ratio (target ≥ 0.7), CPU ms per invite of the worker and of
 * the direct sender, and duplicates by Message-ID across every pipeline run (must be 0).
 *
 *   npx tsx bench/email.ts [count] [--runs 3] [--warmup 300] [--concurrency N] [--profile DIR]
 *
 * `--concurrency` (or WORKER_CONCURRENCY) is the email worker's concurrency; the SMTP pool has 5
 * connections on both sides. `--profile DIR` writes V8 CPU profiles of the worker and the direct
 * sender (`--cpu-prof`) there.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { generateSessionKey, hashSessionKey, portalLink, sealSessionKey } from '../src/domain/session-key.js';
import { interviewWindow } from '../src/domain/window.js';
import { createPrisma } from '../src/infra/db/client.js';
import { createLogger } from '../src/infra/logger.js';
import { createMailer } from '../src/infra/mail/mailer.js';
import { createMetrics } from '../src/infra/metrics.js';
import { emailJobId } from '../src/infra/queue/jobs/email.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { createSlackClient } from '../src/infra/slack/client.js';
import { startWorkers } from '../src/jobs/index.js';
import { closeWorkers } from '../src/jobs/worker.js';
import { renderEmail } from '../src/services/email/render.js';
import { cleanPrefix, TEST_REDIS_URL } from '../tests/helpers/redis.js';
import { startSmtpServer } from '../tests/helpers/smtp.js';
import { startSlackApiServer } from '../tools/slack-emulator/server.js';
import {
  alternate,
  BENCH_TOKEN,
  cpuMs,
  createBenchDb,
  median,
  panelistEnv,
  round,
  startServer,
  type TServer,
  writeRow,
} from './harness.js';

/** Parallel SMTP connections, on both sides (the mailer's default). */
const CONNECTIONS = 5;
const TIME_ZONE = 'Europe/Berlin';
const ROLE = 'Backend Engineer';

/** The environment of the worker and the direct sender: a production configuration. */
function childEnv(o: { databaseUrl: string; smtpUrl: string; slackUrl: string; prefix: string }) {
  return panelistEnv(
    { databaseUrl: o.databaseUrl, prefix: o.prefix, slackApiUrl: o.slackUrl },
    {
      PUBLIC_URL: 'https://panelist.acme.test',
      SMTP_URL: o.smtpUrl,
      MAIL_FROM: 'Acme Interviews <interviews@acme.test>',
      COMPANY_NAME: 'Acme',
    },
  );
}

type TSideRun = {
  ms: number;
  perSecond: number;
  cpuMsPerInvite: number;
  peersCpuMsPerInvite: number;
  postgresCpuMsPerInvite: number;
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: process.env.WORKER_CONCURRENCY ?? '16' },
      /** Writes V8 CPU profiles of the worker and the direct sender to this directory. */
      profile: { type: 'string' },
    },
  });
  const count = Number(positionals[0] ?? 1000);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const concurrency = Number(values.concurrency);
  // The baseline never has fewer messages in flight than the worker has jobs.
  const inFlight = Math.max(16, concurrency);
  const execArgv = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];

  const db = await createBenchDb();
  const prefix = `pbench-${randomBytes(4).toString('hex')}`;
  const children: TServer[] = [];
  const client = new pg.Client({ connectionString: db.url });
  const producer = createRedis(TEST_REDIS_URL, 'producer');
  const queues = new JobQueues(producer, prefix);
  let peers: TPeers | undefined;
  try {
    await client.connect();
    peers = await startPeers();
    const env = childEnv({ databaseUrl: db.url, smtpUrl: peers.smtpUrl, slackUrl: peers.slackUrl, prefix });

    // Fixtures: one interview per invite (warm-up and every run), each with its own candidate and key.
    const total = warmup + runs * count;
    const start = new Date(Date.now() + 7 * 24 * 3600_000);
    const end = new Date(start.getTime() + 45 * 60_000);
    const keys = await seed(client, {
      total,
      start,
      end,
      slackUrl: peers.slackUrl,
      // The workers open the keys with the secret of their (harness) environment.
      linkSecret: 'bench-candidate-link-secret-0123456789abcdef',
    });
    let next = 0;
    const take = (n: number) => {
      next += n;
      return keys.slice(next - n, next);
    };

    const worker = await startServer('bench/email.ts', ['worker', String(concurrency)], env, { execArgv });
    children.push(worker);
    const first = keys[0]!;
    const direct = await startServer(
      'bench/email.ts',
      ['direct'],
      {
        ...env,
        BENCH_INTERVIEW: first.interviewId,
        BENCH_SESSION_KEY: first.sessionKey,
        BENCH_START: String(start.getTime()),
      },
      { execArgv },
    );
    children.push(direct);

    let expectedMessages = 0;
    let expectedSent = 0;
    // PostgreSQL's share: the backends serving the bench database, less this process's own (polling).
    const postgresCpu = async () => {
      const r = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      const each = await Promise.all(r.rows.map((row) => cpuMs(row.pid)));
      return new Map(r.rows.map((row, i) => [row.pid, each[i]!]));
    };
    const measure = async (pid: number, n: number, work: () => Promise<void>): Promise<TSideRun> => {
      const [cpu0, peers0, pg0] = [await cpuMs(pid), await cpuMs(peers!.pid), await postgresCpu()];
      const t0 = performance.now();
      await work();
      const ms = performance.now() - t0;
      const [cpu1, peers1, pg1] = [await cpuMs(pid), await cpuMs(peers!.pid), await postgresCpu()];
      let pgMs = 0;
      for (const [backend, after] of pg1) pgMs += after - (pg0.get(backend) ?? 0);
      return {
        ms,
        perSecond: (n / ms) * 1000,
        cpuMsPerInvite: (cpu1 - cpu0) / n,
        peersCpuMsPerInvite: (peers1 - peers0) / n,
        postgresCpuMsPerInvite: pgMs / n,
      };
    };
    const pipeline = (n: number) =>
      measure(worker.pid, n, async () => {
        const batch = take(n);
        expectedMessages += n;
        expectedSent += n;
        for (let i = 0; i < batch.length; i += 500) {
          await queues.queue('email').addBulk(
            batch.slice(i, i + 500).map((k) => ({
              name: 'email',
              data: { interviewId: k.interviewId, kind: 'invite', revision: 1 },
              opts: { jobId: emailJobId({ interviewId: k.interviewId, kind: 'invite', revision: 1 }) },
            })),
          );
        }
        await peers!.waitFor(expectedMessages, 180_000);
        // Done when every row is recorded as sent, not only when the server has the message.
        for (;;) {
          const r = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "EmailDelivery" WHERE status = 'sent'`,
          );
          if (r.rows[0]!.n >= expectedSent) break;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    const baseline = (n: number) =>
      measure(direct.pid, n, async () => {
        expectedMessages += n;
        const res = await fetch(`${direct.url}/send?n=${n}&inFlight=${inFlight}`);
        if (!res.ok) throw new Error(`direct sender: ${res.status} ${await res.text()}`);
        await peers!.waitFor(expectedMessages, 180_000);
      });

    // Warm-up, not measured: JIT, pools, connections, prepared plans on both sides.
    await pipeline(warmup);
    await baseline(warmup);
    const result = await alternate(
      runs,
      { a: () => pipeline(count), b: () => baseline(count) },
      (r) => r.perSecond,
    );

    await worker.stop();
    // Settle: anything late would show up as a duplicate.
    await new Promise((r) => setTimeout(r, 500));
    const tally = await peers.count();
    const sentRows = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "EmailDelivery" WHERE status = 'sent'`,
    );
    const failedJobs = await queues.queue('email').getJobCounts('failed');
    const value = result.medianA;
    const base = result.medianB;
    const ratio = value / base;
    const cpuPipeline = median(result.a.map((r) => r.cpuMsPerInvite));
    const cpuDirect = median(result.b.map((r) => r.cpuMsPerInvite));
    await writeRow({
      scenario: 'email',
      figure: `invites/s (${count} through jobs → SMTP, worker concurrency ${concurrency}, ${CONNECTIONS} SMTP connections)`,
      value,
      unit: '/s',
      baseline: { label: 'nodemailer sending one pre-rendered invite directly, same pool', value: base },
      ratio,
      better: 'higher',
      target: '0 duplicates; ≥ 0.7× direct sending',
      checks: [
        {
          label: `pipeline: ${tally.pipeline} messages for ${expectedSent} invites (${tally.pipelineUnique} distinct Message-IDs), ${sentRows.rows[0]!.n} recorded sent, ${failedJobs.failed ?? 0} failed jobs`,
          ok:
            tally.pipeline === expectedSent &&
            tally.pipelineUnique === expectedSent &&
            sentRows.rows[0]!.n === expectedSent &&
            (failedJobs.failed ?? 0) === 0,
        },
        { label: `throughput ${round(ratio)}× direct sending (target ≥ 0.7×)`, ok: ratio >= 0.7 },
      ],
      runs,
      details: {
        invites: count,
        duplicates: tally.pipeline - tally.pipelineUnique,
        pipelinePerSecond: result.a.map((r) => round(r.perSecond)),
        directPerSecond: result.b.map((r) => round(r.perSecond)),
        workerCpuMsPerInvite: round(cpuPipeline),
        directCpuMsPerInvite: round(cpuDirect),
        workerCpuMsPerInviteRuns: result.a.map((r) => round(r.cpuMsPerInvite)),
        directCpuMsPerInviteRuns: result.b.map((r) => round(r.cpuMsPerInvite)),
        peersCpuMsPerInvite: {
          pipeline: round(median(result.a.map((r) => r.peersCpuMsPerInvite))),
          direct: round(median(result.b.map((r) => r.peersCpuMsPerInvite))),
        },
        postgresCpuMsPerInvite: round(median(result.a.map((r) => r.postgresCpuMsPerInvite))),
        messageBytes: tally.bytes,
        workerConcurrency: concurrency,
        directInFlight: inFlight,
        smtpConnections: CONNECTIONS,
        warmup,
      },
    });
    if (tally.pipeline !== tally.pipelineUnique) process.exitCode = 1;
  } finally {
    for (const c of children.reverse()) await c.stop();
    await peers?.close();
    await queues.close();
    producer.disconnect();
    await client.end().catch(() => undefined);
    await cleanPrefix(prefix);
    await db.drop();
  }
}

type TKey = { interviewId: string; sessionKey: string };

async function seed(
  client: pg.Client,
  o: { total: number; start: Date; end: Date; slackUrl: string; linkSecret: string },
): Promise<TKey[]> {
  const role = await client.query<{ id: string }>(
    `INSERT INTO "Role" (id, title, "updatedAt") VALUES (gen_random_uuid(), $1, now()) RETURNING id`,
    [ROLE],
  );
  const slot = await client.query<{ id: string }>(
    `INSERT INTO "Slot" (id, "startsAt", "durationMinutes", capacity, "seatsTaken", "timeZone")
     VALUES (gen_random_uuid(), $1, 45, $2, $2, 'UTC') RETURNING id`,
    [o.start, o.total],
  );
  const root = await createSlackClient({ token: BENCH_TOKEN, apiUrl: o.slackUrl }).chat.postMessage({
    channel: 'C_RECRUITING',
    text: 'bench',
  });
  const keys: TKey[] = [];
  for (let i = 0; i < o.total; i += 500) {
    const n = Math.min(500, o.total - i);
    const batch = Array.from({ length: n }, (_, j) => ({
      candidateId: crypto.randomUUID(),
      interviewId: crypto.randomUUID(),
      sessionKey: generateSessionKey(),
      i: i + j,
    }));
    keys.push(...batch.map(({ interviewId, sessionKey }) => ({ interviewId, sessionKey })));
    await client.query(
      `INSERT INTO "Candidate" (id, name, email, "timeZone", "updatedAt")
       SELECT unnest($1::uuid[]), unnest($2::text[]), unnest($3::text[]), $4, now()`,
      [
        batch.map((b) => b.candidateId),
        batch.map((b) => `Candidate ${b.i}`),
        batch.map((b) => `c${b.i}@example.com`),
        TIME_ZONE,
      ],
    );
    await client.query(
      `INSERT INTO "Interview" (id, "candidateId", "roleId", "slotId", "scheduledStart", "scheduledEnd", "sessionKeyHash",
                                "bookingRequestId", "recruiterSlackUser", "recruiterEmail", "slackChannelId", "slackThreadTs",
                                "sessionKeySealed", "updatedAt")
       SELECT unnest($1::uuid[]), unnest($2::uuid[]), $3, $4, $5, $6, unnest($7::text[]), unnest($8::text[]),
              'U_RECRUITER', 'rita@acme.test', 'C_RECRUITING', $9, unnest($10::text[]), now()`,
      [
        batch.map((b) => b.interviewId),
        batch.map((b) => b.candidateId),
        role.rows[0]!.id,
        slot.rows[0]!.id,
        o.start,
        o.end,
        batch.map((b) => hashSessionKey(b.sessionKey)),
        batch.map((b) => `bench-${b.interviewId}`),
        root.ts ?? null,
        batch.map((b) => sealSessionKey(b.sessionKey, o.linkSecret, b.interviewId)),
      ],
    );
  }
  return keys;
}

// ---------------------------------------------------------------- the worker

/** Child: the email worker as `src/start.ts` wires it (production config, real mailer, metrics, logs at info). */
async function serveWorker(concurrency: number): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const prisma = createPrisma(config.databaseUrl!);
  const producer = createRedis(config.redis.url, 'producer');
  const connection = createRedis(config.redis.url, 'worker');
  const queues = new JobQueues(producer, config.redis.prefix);
  const mailer = createMailer(config, logger, { maxConnections: CONNECTIONS });
  await mailer.verify();
  const workers = startWorkers(
    {
      config,
      prisma,
      queues,
      slack: createSlackClient({ token: config.slack.botToken!, apiUrl: config.slack.apiUrl }),
      ai: undefined,
      logger,
      metrics: createMetrics(),
      now: () => new Date(),
      mailer,
    },
    connection,
    { only: ['email'], concurrency: { email: concurrency } },
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void (async () => {
      await closeWorkers(workers, 5000);
      await mailer.close();
      await queues.close();
      producer.disconnect();
      connection.disconnect();
      await prisma.$disconnect();
      process.exit(0);
    })();
  });
}

// ---------------------------------------------------------------- the baseline

/**
 * Child: nodemailer alone. Renders one invite (the same renderer and input as the pipeline's
 * first interview) once, then `GET /send?n=N&inFlight=K` sends it N times with K sends in flight
 * over a pool with the same options as the mailer's, and answers when all are accepted.
 */
async function serveDirect(): Promise<void> {
  const config = loadConfig(process.env);
  const start = new Date(Number(process.env.BENCH_START));
  const end = new Date(start.getTime() + 45 * 60_000);
  const interviewId = process.env.BENCH_INTERVIEW!;
  const message = renderEmail({
    kind: 'invite',
    interviewId,
    revision: 1,
    candidate: { name: 'Candidate 0', email: 'c0@example.com', timeZone: TIME_ZONE },
    roleTitle: ROLE,
    companyName: config.mail.companyName,
    start,
    end,
    link: portalLink(config.publicUrl, process.env.BENCH_SESSION_KEY!),
    window: interviewWindow(start, end, config.interview),
    recruiterEmail: 'rita@acme.test',
    from: config.mail.from,
    now: new Date(),
  });
  const transport = nodemailer.createTransport({
    url: config.mail.smtpUrl,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: 500,
  });
  let sent = 0;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const n = Number(u.searchParams.get('n'));
    const inFlight = Number(u.searchParams.get('inFlight') ?? 16);
    let left = n;
    void Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left > 0) {
          left--;
          // Same fields as the mailer gives nodemailer; a Message-ID of the same shape, one per copy.
          await transport.sendMail({
            from: message.from,
            to: message.to,
            replyTo: message.replyTo,
            subject: message.subject,
            text: message.text,
            html: message.html,
            messageId: `<panelist.${interviewId}.direct.${sent++}@acme.test>`,
            icalEvent: message.calendar,
            disableFileAccess: true,
            disableUrlAccess: true,
          });
        }
      }),
    ).then(
      () => res.end('ok'),
      (err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      },
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    process.stdout.write(`ready http://127.0.0.1:${a.port}\n`);
  });
  process.on('SIGTERM', () => {
    transport.close();
    server.close(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- the peers

type TTally = { total: number; pipeline: number; pipelineUnique: number; bytes: Record<string, number> };
type TPeers = {
  smtpUrl: string;
  slackUrl: string;
  pid: number;
  count(): Promise<TTally>;
  waitFor(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
};

/** Starts `bench/email.ts peers` in a child process and talks to it line by line. */
async function startPeers(): Promise<TPeers> {
  const { spawn } = await import('node:child_process');
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
  return {
    smtpUrl: urls.smtp,
    slackUrl: urls.slack,
    pid: child.pid!,
    count: async () => JSON.parse(await ask('count')) as TTally,
    async waitFor(n, timeoutMs) {
      const r = JSON.parse(await ask(`wait ${n} ${timeoutMs}`)) as { ok: boolean; total: number };
      if (!r.ok) throw new Error(`only ${r.total} of ${n} messages arrived`);
    },
    async close() {
      await ask('close');
      child.kill();
    },
  };
}

/**
 * Child: a real SMTP server and the Slack API emulator. Captured messages are tallied and
 * dropped as they come (thousands of parsed messages would otherwise pile up in memory).
 */
async function servePeers(): Promise<void> {
  const smtp = await startSmtpServer();
  const slack = await startSlackApiServer({ token: BENCH_TOKEN });
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  const tally = { total: 0, pipeline: 0, ids: new Set<string>(), bytes: {} as Record<string, number> };
  const fold = () => {
    for (const m of smtp.messages.splice(0)) {
      tally.total++;
      const id = m.parsed.messageId ?? '';
      const side = id.includes('.direct.') ? 'direct' : 'pipeline';
      tally.bytes[side] = m.raw.length;
      if (side === 'pipeline') {
        tally.pipeline++;
        tally.ids.add(id);
      }
    }
  };
  out({ smtp: smtp.url, slack: slack.url });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, a, b] = line.split(' ');
    if (cmd === 'count') {
      fold();
      out({
        total: tally.total,
        pipeline: tally.pipeline,
        pipelineUnique: tally.ids.size,
        bytes: tally.bytes,
      });
    } else if (cmd === 'wait') {
      const until = Date.now() + Number(b);
      for (;;) {
        fold();
        if (tally.total >= Number(a) || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      out({ ok: tally.total >= Number(a), total: tally.total });
    } else if (cmd === 'close') {
      await smtp.close();
      await slack.close();
      out({ ok: true });
      process.exit(0);
    }
  }
}

const mode = process.argv[2];
if (mode === 'peers') await servePeers();
else if (mode === 'worker') await serveWorker(Number(process.argv[3] ?? 16));
else if (mode === 'direct') await serveDirect();
else await main();
