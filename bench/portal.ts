/**
 * portal: requests/s and latency of the candidate's link, `GET /interview?session_key=…`
 * with valid keys of interviews that are open now, 64 connections back to back.
 *
 * Measured: the real portal process (`startPanelist` with the portal role: helmet,
 * request log, the wrong-key guard in Redis, the key lookup, the room page).
 * Baseline: a bare Fastify route in its own process running the same single-row
 * lookup (`findInterviewByKey`: the same Prisma query on the same pool size)
 * and answering a few bytes. Load comes from this process; runs alternate.
 *
 *   npx tsx bench/portal.ts [--runs 3] [--total 6000] [--connections 64]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { escapeHtml } from '../src/domain/escape.js';
import { generateSessionKey, hashSessionKey } from '../src/domain/session-key.js';
import { openDatabase } from '../src/infra/db/client.js';
import { createLogger } from '../src/infra/logger.js';
import { findInterviewByKey } from '../src/services/interview/session.js';
import { startPanelist } from '../src/start.js';
import { cleanPrefix } from '../tests/helpers/redis.js';
import {
  alternate,
  createBenchDb,
  httpLoad,
  isMain,
  median,
  panelistEnv,
  percentile,
  round,
  startServer,
  type TServer,
  writeRow,
} from './harness.js';

const KEYS = 64;

/** Child: the real portal (`app`) or the bare route (`bare`), printing `ready <url>`. */
async function serve(kind: string): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  if (kind === 'app') {
    const running = await startPanelist(config, ['portal'], logger);
    process.stdout.write(`ready ${running.url}\n`);
    process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
    return;
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  const app = Fastify({ logger: false });
  app.get(
    '/interview',
    {
      schema: {
        querystring: { type: 'object', properties: { session_key: { type: 'string', maxLength: 200 } } },
      },
    },
    async (req, reply) => {
      const interview = await findInterviewByKey(db, (req.query as { session_key?: string }).session_key);
      reply.type('text/html; charset=utf-8');
      if (!interview) return reply.status(404).send('<p>not valid</p>');
      return reply.send(`<p>${escapeHtml(interview.candidate.name)}</p>`);
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`ready ${url}\n`);
  process.on('SIGTERM', () => void app.close().then(() => db.close().then(() => process.exit(0))));
}

/** KEYS interviews that are open right now (started a minute ago, an hour long). */
async function seed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const role = await client.query<{ id: string }>(
      `INSERT INTO "Role" (id, title, "updatedAt") VALUES (gen_random_uuid(), 'Backend Engineer', now()) RETURNING id`,
    );
    const slot = await client.query<{ id: string; startsAt: Date }>(
      `INSERT INTO "Slot" (id, "startsAt", "durationMinutes", capacity, "seatsTaken", "timeZone")
       VALUES (gen_random_uuid(), now() - interval '1 minute', 60, $1, $1, 'Europe/Berlin') RETURNING id, "startsAt"`,
      [KEYS],
    );
    const start = slot.rows[0]!.startsAt;
    const keys: string[] = [];
    for (let i = 0; i < KEYS; i++) {
      const key = generateSessionKey();
      keys.push(key);
      const candidateId = randomUUID();
      await client.query(
        `INSERT INTO "Candidate" (id, name, email, "timeZone", "updatedAt") VALUES ($1, $2, $3, 'Europe/Berlin', now())`,
        [candidateId, `Candidate ${i}`, `candidate-${i}@example.com`],
      );
      await client.query(
        `INSERT INTO "Interview" (id, "candidateId", "roleId", "slotId", "scheduledStart", "scheduledEnd",
           "sessionKeyHash", "bookingRequestId", "recruiterSlackUser", "slackChannelId", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '60 minutes', $6, $7, 'U_BENCH', 'C_BENCH', now())`,
        [
          randomUUID(),
          candidateId,
          role.rows[0]!.id,
          slot.rows[0]!.id,
          start,
          hashSessionKey(key),
          `bench-${i}-${randomUUID()}`,
        ],
      );
    }
    return keys;
  } finally {
    await client.end();
  }
}

type TRun = { rps: number; p50: number; p99: number; bad: number };

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: 'string', default: '3' },
      total: { type: 'string', default: '6000' },
      warmup: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '64' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const runs = Number(values.runs);
  const total = Number(values.total);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const db = await createBenchDb();
  const prefix = `pbench-${randomBytes(4).toString('hex')}`;
  const servers: TServer[] = [];
  try {
    const keys = await seed(db.url);
    // Slack over HTTP settings (never called here), so the portal does not start the local stand-in.
    const env = panelistEnv(
      { databaseUrl: db.url, prefix, slackApiUrl: 'http://127.0.0.1:9/api/' },
      { LOG_LEVEL: values['log-level']!, HOST: '127.0.0.1', PORT: '0' },
    );
    const app = await startServer('bench/portal.ts', ['serve', 'app'], env);
    servers.push(app);
    const bare = await startServer('bench/portal.ts', ['serve', 'bare'], env);
    servers.push(bare);

    const make = (i: number) => ({
      method: 'GET' as const,
      path: `/interview?session_key=${keys[i % keys.length]}`,
      headers: { accept: 'text/html' },
    });
    const measure = async (url: string): Promise<TRun> => {
      const r = await httpLoad({ url, concurrency: connections, total, warmup, make });
      return {
        rps: r.rps,
        p50: percentile(r.latencies, 0.5),
        p99: percentile(r.latencies, 0.99),
        bad: r.latencies.length - (r.statuses[200] ?? 0),
      };
    };
    // Sanity: the real page is the interview room, not an error page.
    const page = await fetch(`${app.url}/interview?session_key=${keys[0]}`);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('Candidate 0'))
      throw new Error(`the portal did not show the room: HTTP ${page.status}\n${html.slice(0, 500)}`);
    await measure(bare.url);
    await measure(app.url);
    const result = await alternate(
      runs,
      { a: () => measure(app.url), b: () => measure(bare.url) },
      (r) => r.rps,
    );
    // One connection, one request at a time: what a single candidate waits, without queueing.
    const serial = (url: string) => httpLoad({ url, concurrency: 1, total: 500, warmup: 100, make });
    const single = await alternate(runs, { a: () => serial(app.url), b: () => serial(bare.url) }, (r) =>
      percentile(r.latencies, 0.5),
    );
    const value = result.medianA;
    const base = result.medianB;
    const ratio = value / base;
    const bad = [...result.a, ...result.b].reduce((s, r) => s + r.bad, 0);
    const appP99 = median(result.a.map((r) => r.p99));
    const bareP99 = median(result.b.map((r) => r.p99));
    await writeRow({
      scenario: 'portal',
      figure: `GET /interview?session_key=… requests/s, ${connections} connections`,
      value,
      unit: '/s',
      baseline: { label: 'bare Fastify route, same single-row query', value: base },
      ratio,
      better: 'higher',
      target: '≥ 0.5× the bare route',
      checks: [
        { label: `${round(ratio)}× the bare route's requests/s (target ≥ 0.5×)`, ok: ratio >= 0.5 },
        { label: `p99 ${round(appP99)} ms (bare route ${round(bareP99)} ms)`, ok: true },
        {
          label: `one connection: p50 ${round(single.medianA)} ms (bare route ${round(single.medianB)} ms)`,
          ok: true,
        },
        { label: `${bad} answers other than HTTP 200`, ok: bad === 0 },
      ],
      runs,
      details: {
        connections,
        requestsPerRun: total,
        warmupPerRun: warmup,
        logLevel: values['log-level'],
        appP50: median(result.a.map((r) => r.p50)),
        appP99,
        bareP50: median(result.b.map((r) => r.p50)),
        bareP99,
        pageBytes: Buffer.byteLength(html),
        singleConnectionP50: single.medianA,
        bareSingleConnectionP50: single.medianB,
        appRunsRps: result.a.map((r) => round(r.rps)),
        bareRunsRps: result.b.map((r) => round(r.rps)),
      },
    });
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await cleanPrefix(prefix);
    await db.drop();
  }
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === 'serve') await serve(process.argv[3] ?? 'app');
  else await main();
}
