/**
 * slack-ack: how fast Slack gets its HTTP 200 for signed `/schedule-interview`
 * commands and schedule-modal submissions, 200 requests in flight.
 *
 * Measured: the real app process (`startPanelist` with the bot and portal roles,
 * exactly as `src/main.ts` wires it: replay guard in Redis, helmet, request log,
 * metrics; the command acks then opens the modal; the submission checks slot and
 * role in PostgreSQL and enqueues the booking before it acks).
 * Baseline: a bare Bolt app on the same FastifySlackReceiver whose listeners only ack.
 * Both servers run in their own processes; the Slack Web API emulator runs in a
 * third; the load comes from this one. Runs alternate between the two sides.
 *
 *   npx tsx bench/slack-ack.ts [--runs 3] [--total 2000] [--concurrency 200]
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { App, LogLevel } from '@slack/bolt';
import Fastify from 'fastify';
import pg from 'pg';
import { boltLogger, FastifySlackReceiver } from '../src/bot/receiver.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/infra/logger.js';
import { startPanelist } from '../src/start.js';
import { cleanPrefix } from '../tests/helpers/redis.js';
import { interactionBody, signSlackRequest, slashCommandBody } from '../tools/slack-emulator/signing.js';
import {
  alternate,
  BENCH_CHANNEL as CHANNEL,
  cpuMs,
  createBenchDb,
  httpLoad,
  isMain,
  median,
  panelistEnv,
  percentile,
  BENCH_RECRUITER as RECRUITER,
  round,
  BENCH_SIGNING_SECRET as SECRET,
  startServer,
  type TLoadResult,
  type TServer,
  writeRow,
} from './harness.js';

const SCHEDULE_CALLBACK = 'schedule_interview';

/** Child: the real app (`app`) or the bare Bolt app (`bare`), printing `ready <url>`. */
async function serve(kind: string): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  if (kind === 'app') {
    const running = await startPanelist(config, ['bot', 'portal'], logger);
    process.stdout.write(`ready ${running.url}\n`);
    process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
    return;
  }
  const receiver = new FastifySlackReceiver({ signingSecret: config.slack.signingSecret!, logger });
  const app = new App({
    token: config.slack.botToken!,
    receiver,
    logger: boltLogger(logger),
    logLevel: LogLevel.INFO,
    clientOptions: { slackApiUrl: config.slack.apiUrl! },
  });
  app.command('/schedule-interview', async ({ ack }) => ack());
  app.view(SCHEDULE_CALLBACK, async ({ ack }) => ack());
  const server = Fastify({ logger: false });
  await server.register(receiver.plugin);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`ready ${url}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

/** CPU time of a process's main thread (its event loop), in ms, from /proc (Linux, 100 Hz ticks). */
async function mainThreadCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Waits until the process uses (almost) no CPU over 100 ms, at most 5 s. */
async function settle(pid: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 5000; ) {
    const before = await cpuMs(pid);
    await new Promise((r) => setTimeout(r, 100));
    if ((await cpuMs(pid)) - before <= 10) return;
  }
}

/** A well-formed trigger_id (the emulator accepts ones it did not issue). */
const triggerId = (i: number) => `${1_500_000_000 + i}.738474920.${randomBytes(10).toString('hex')}`;

function viewFor(i: number, ids: { slotId: string; roleId: string }) {
  const id = `VB${randomBytes(5).toString('hex').toUpperCase()}`;
  const text = (v: string) => ({ type: 'plain_text_input', value: v });
  return {
    id,
    team_id: 'T_BENCH',
    type: 'modal',
    blocks: [],
    private_metadata: JSON.stringify({ channelId: CHANNEL, tz: 'America/New_York' }),
    callback_id: SCHEDULE_CALLBACK,
    external_id: '',
    state: {
      values: {
        candidate_name: { candidate_name: text(`Candidate ${i}`) },
        candidate_email: { candidate_email: text(`candidate-${i}-${id.toLowerCase()}@example.com`) },
        candidate_tz: {
          candidate_tz: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Berlin' }, value: 'Europe/Berlin' },
          },
        },
        role: {
          role: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Role' }, value: ids.roleId },
          },
        },
        slot: {
          slot: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Slot' }, value: ids.slotId },
          },
        },
        notes: { notes: text('') },
      },
    },
    hash: `${Date.now()}.${i}`,
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    root_view_id: id,
    app_id: 'A_BENCH',
    app_installed_team_id: 'T_BENCH',
    bot_id: 'B_BENCH',
  };
}

/** Even requests are the slash command, odd ones the modal submission, signed. */
function makeRequest(i: number, ids: { slotId: string; roleId: string }, kinds = 'both') {
  const isCommand = kinds === 'command' || (kinds === 'both' && i % 2 === 0);
  const body = isCommand
    ? slashCommandBody({
        command: '/schedule-interview',
        text: '',
        userId: RECRUITER,
        channelId: CHANNEL,
        triggerId: triggerId(i),
      })
    : interactionBody({
        type: 'view_submission',
        team: { id: 'T_BENCH', domain: 'bench' },
        user: { id: RECRUITER, username: 'rita', name: 'rita', team_id: 'T_BENCH' },
        api_app_id: 'A_BENCH',
        token: 'verification-token',
        trigger_id: triggerId(i),
        view: viewFor(i, ids),
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
  return {
    method: 'POST' as const,
    path: '/slack/events',
    tag: isCommand ? 'command' : 'view',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(SECRET, body),
    },
    body,
  };
}

type TRun = {
  /** CPU time (user + system) of the server per request sent, warm-up included. */
  cpuMsPerRequest: number;
  /** The same, for the server's main thread alone (its event loop; GC helpers excluded). */
  loopCpuMsPerRequest: number;
  /** CPU of this (load) process per request: what the client itself costs, the same for both sides. */
  clientCpuMsPerRequest: number;
  p50: number;
  p95: number;
  p99: number;
  cmdP99: number;
  viewP99: number;
  rps: number;
  bad: number;
};

function toRun(r: TLoadResult, cpu: { server: number; loop: number; client: number }): TRun {
  return {
    cpuMsPerRequest: cpu.server,
    loopCpuMsPerRequest: cpu.loop,
    clientCpuMsPerRequest: cpu.client,
    p50: percentile(r.latencies, 0.5),
    p95: percentile(r.latencies, 0.95),
    p99: percentile(r.latencies, 0.99),
    cmdP99: percentile(r.byTag.command ?? [], 0.99),
    viewP99: percentile(r.byTag.view ?? [], 0.99),
    rps: r.rps,
    bad: r.latencies.length - (r.statuses[200] ?? 0),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: 'string', default: '3' },
      total: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '200' },
      'log-level': { type: 'string', default: 'info' },
      /** Writes a V8 CPU profile of the app process to this directory. */
      profile: { type: 'string' },
      /** `command` or `view` alone, to see which costs what; both by default. */
      kinds: { type: 'string', default: 'both' },
    },
  });
  const runs = Number(values.runs);
  const total = Number(values.total);
  const warmup = Number(values.warmup);
  const concurrency = Number(values.concurrency);
  const db = await createBenchDb();
  const prefix = `pbench-${randomBytes(4).toString('hex')}`;
  const servers: Array<{ stop(): Promise<void> }> = [];
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const role = await client.query<{ id: string }>(
      `INSERT INTO "Role" (id, title, "updatedAt") VALUES (gen_random_uuid(), 'Backend Engineer', now()) RETURNING id`,
    );
    const slot = await client.query<{ id: string }>(
      `INSERT INTO "Slot" (id, "startsAt", "durationMinutes", capacity, "seatsTaken", "timeZone")
       VALUES (gen_random_uuid(), now() + interval '7 days', 30, 100000, 0, 'America/New_York') RETURNING id`,
    );
    await client.end();
    const ids = { roleId: role.rows[0]!.id, slotId: slot.rows[0]!.id };

    const slack = await startServer('bench/peers.ts', [], {});
    servers.push(slack);
    const env = panelistEnv(
      { databaseUrl: db.url, prefix, slackApiUrl: slack.url },
      { LOG_LEVEL: values['log-level']!, HOST: '127.0.0.1', PORT: '0' },
    );
    const app = await startServer(
      'bench/slack-ack.ts',
      ['serve', 'app'],
      env,
      values.profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] } : {},
    );
    servers.push(app);
    const bare = await startServer('bench/slack-ack.ts', ['serve', 'bare'], env);
    servers.push(bare);

    // Primary: waves of `concurrency` simultaneous requests (that many recruiters at
    // the same instant), the latency each one sees. Secondary: the saturated server's
    // requests/s with `concurrency` in flight back to back.
    // Every request of a run is built and signed before its clock starts (signatures
    // stay valid for Slack's 5 minutes), so the load process only sends and reads.
    const prebuilt = () =>
      Array.from({ length: warmup + total }, (_, i) => makeRequest(i, ids, values.kinds));
    const measure = async (server: TServer) => {
      const requests = prebuilt();
      const cpuBefore = await cpuMs(server.pid);
      const loopBefore = await mainThreadCpuMs(server.pid);
      const clientBefore = process.cpuUsage();
      const load = await httpLoad({
        url: server.url,
        concurrency,
        total,
        warmup,
        mode: 'waves',
        gapMs: 50,
        make: (i) => requests[i]!,
      });
      const client = process.cpuUsage(clientBefore);
      const sent = total + warmup;
      // Work a side does after its last answer (modals opened after the ack) is its own
      // cost: count it here, and never let it run into the other side's measurement.
      await settle(server.pid);
      return toRun(load, {
        server: ((await cpuMs(server.pid)) - cpuBefore) / sent,
        loop: ((await mainThreadCpuMs(server.pid)) - loopBefore) / sent,
        client: (client.user + client.system) / 1000 / sent,
      });
    };
    const saturate = async (server: TServer) => {
      const requests = prebuilt();
      const load = await httpLoad({ url: server.url, concurrency, total, warmup, make: (i) => requests[i]! });
      await settle(server.pid);
      return load.rps;
    };
    // One unmeasured pass each: JIT, connection pools, the recruiter's profile cache.
    await measure(bare);
    await measure(app);
    const result = await alternate(runs, { a: () => measure(app), b: () => measure(bare) }, (r) => r.p99);
    const sat = await alternate(runs, { a: () => saturate(app), b: () => saturate(bare) }, (r) => r);
    const appP99 = result.medianA;
    const bareP99 = result.medianB;
    const ratio = appP99 / bareP99;
    const bad = result.a.reduce((s, r) => s + r.bad, 0) + result.b.reduce((s, r) => s + r.bad, 0);
    await writeRow({
      scenario: 'slack-ack',
      figure: `ack p99, waves of ${concurrency} simultaneous requests (ms)`,
      value: appP99,
      unit: 'ms',
      baseline: { label: 'bare Bolt app on the same receiver, ack only', value: bareP99 },
      ratio,
      better: 'lower',
      target: 'p99 ≤ 50 ms; ≤ 1.5× the bare app',
      checks: [
        { label: `app p99 ${round(appP99)} ms (target ≤ 50 ms)`, ok: appP99 <= 50 },
        {
          label: `${round(ratio)}× the bare app's p99 ${round(bareP99)} ms (target ≤ 1.5×)`,
          ok: ratio <= 1.5,
        },
        { label: `${bad} answers other than HTTP 200`, ok: bad === 0 },
      ],
      runs,
      details: {
        concurrency,
        requestsPerRun: total,
        warmupPerRun: warmup,
        logLevel: values['log-level'],
        appP50: median(result.a.map((r) => r.p50)),
        appP95: median(result.a.map((r) => r.p95)),
        appCommandP99: median(result.a.map((r) => r.cmdP99)),
        appViewSubmissionP99: median(result.a.map((r) => r.viewP99)),
        appCpuMsPerRequest: median(result.a.map((r) => r.cpuMsPerRequest)),
        bareCpuMsPerRequest: median(result.b.map((r) => r.cpuMsPerRequest)),
        appLoopCpuMsPerRequest: median(result.a.map((r) => r.loopCpuMsPerRequest)),
        bareLoopCpuMsPerRequest: median(result.b.map((r) => r.loopCpuMsPerRequest)),
        clientCpuMsPerRequest: median([...result.a, ...result.b].map((r) => r.clientCpuMsPerRequest)),
        bareP50: median(result.b.map((r) => r.p50)),
        bareP95: median(result.b.map((r) => r.p95)),
        appSaturatedRps: sat.medianA,
        bareSaturatedRps: sat.medianB,
        appRunsP99: result.a.map((r) => round(r.p99)),
        bareRunsP99: result.b.map((r) => round(r.p99)),
      },
    });
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await cleanPrefix(prefix);
    await db.drop();
  }
}

if (isMain(import.meta.url)) {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'serve') await serve(arg ?? 'app');
  else await main();
}
