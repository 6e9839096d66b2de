/**
 * Wires Panelist's processes from a configuration: the roles asked for (bot,
 * portal, worker; `all` runs them in one process), the database, Redis, Slack
 * and the model. Returns a handle that shuts everything down in order.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from 'bullmq';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildBot } from './bot/app.js';
import { redisReplayGuard } from './bot/replay-guard.js';
import type { TConfig } from './config.js';
import { createAi } from './infra/ai/client.js';
import { openDatabase } from './infra/db/client.js';
import { createFaultPoints } from './infra/fault-points.js';
import type { Logger } from './infra/logger.js';
import { createMailer } from './infra/mail/mailer.js';
import { createMetrics } from './infra/metrics.js';
import { JobQueues } from './infra/queue/queues.js';
import { createRedis, ensureRedis } from './infra/queue/redis.js';
import { createSlackClient } from './infra/slack/client.js';
import { scheduleMaintenance } from './jobs/handlers/maintenance.js';
import { startWorkers } from './jobs/index.js';
import { closeWorkers } from './jobs/worker.js';
import { loadLocalMode } from './load-local-mode.js';
import { adminExportsPlugin } from './ops/admin-exports.js';
import { adminQueuesPlugin } from './ops/admin-queues.js';
import { metricsRoute } from './ops/metrics-route.js';
import { checkModelEndpoint } from './ops/model-readiness.js';
import { checkSmtp } from './ops/readiness.js';
import { scheduleRetention } from './ops/retention-schedule.js';
import { buildPortal } from './portal/app.js';
import { refreshRootMessage } from './services/booking/scheduling-message.js';
import type { TServiceDeps } from './services/deps.js';

export type TRole = 'bot' | 'portal' | 'worker';

/** /readyz must answer within 1 s: each check gets 900 ms and says "timeout" past it. */
const READINESS_DEADLINE_MS = 900;

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
export const ALL_ROLES: TRole[] = ['bot', 'portal', 'worker'];

export type TRunning = {
  url: string | undefined;
  deps: TServiceDeps;
  stop(): Promise<void>;
};

/**
 * A local run keeps its generated secrets under DATA_DIR so links survive restarts. Created with
 * O_EXCL: processes started together (bot and worker) agree on one secret, whoever writes first.
 */
async function localSecret(dataDir: string, name: string): Promise<string> {
  const file = path.join(dataDir, 'secrets', name);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing) return existing;
  } catch {
    // not there yet
  }
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Another process may have created it a moment ago and not written it yet.
  for (let i = 0; i < 50; i++) {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret) return secret;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} is empty: delete it and start again`);
}

/** host:port/database of a connection URL, for logs: never the user name or password. */
function addressOf(url: string): string {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? u.pathname : '';
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.protocol.startsWith('redis') ? '' : db}`;
}

/** /readyz checks for the configured model endpoint(s); none without a model. */
function modelChecks(ai: TConfig['ai']): Record<string, () => Promise<void>> {
  const checks: Record<string, () => Promise<void>> = {};
  if (ai.baseUrl) {
    const chat = { baseUrl: ai.baseUrl, apiKey: ai.apiKey };
    checks.model = () => checkModelEndpoint('chat model', chat);
  }
  // The audio servers get their own check when they are not the chat endpoint.
  const stt = ai.stt;
  if (stt && stt.baseUrl !== ai.baseUrl)
    checks.speech_to_text = () => checkModelEndpoint('speech-to-text', stt);
  const tts = ai.tts;
  if (tts && tts.baseUrl !== ai.baseUrl && tts.baseUrl !== stt?.baseUrl)
    checks.text_to_speech = () => checkModelEndpoint('text-to-speech', tts);
  return checks;
}

export async function startPanelist(config: TConfig, roles: TRole[], logger: Logger): Promise<TRunning> {
  const cleanups: Array<{ name: string; fn: () => Promise<unknown> }> = [];
  const onStop = (name: string, fn: () => Promise<unknown>) => cleanups.unshift({ name, fn });
  const stop = async () => {
    // Each step's time goes in the log, so a slow stop names the step that held it.
    const steps: Record<string, number> = {};
    const started = performance.now();
    for (const c of cleanups) {
      const t = performance.now();
      try {
        await c.fn();
      } catch (err) {
        logger.warn({ step: c.name, err: { message: (err as Error).message } }, 'shutdown step failed');
      }
      steps[c.name] = Math.round(performance.now() - t);
    }
    logger.info({ ms: Math.round(performance.now() - started), steps }, 'stopped');
  };
  try {
    await mkdir(config.dataDir, { recursive: true });
    const localRedis = await ensureRedis({ ...config.redis, dataDir: config.dataDir, logger });
    if (localRedis) onStop('local redis', localRedis.close);
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
    logger.info(
      {
        database: db.isEmbedded
          ? `embedded PGlite in ${path.join(config.dataDir, 'pglite')}`
          : addressOf(db.url),
        redis: `${addressOf(config.redis.url)}${localRedis ? ' (private redis-server started for this run)' : ''}`,
      },
      `database: ${db.isEmbedded ? 'embedded PGlite' : `PostgreSQL at ${addressOf(db.url)}`}; Redis at ${addressOf(config.redis.url)}`,
    );
    onStop('database', db.close);

    const isLocalSlack = config.slack.mode === 'local';
    if (isLocalSlack && config.port === 0)
      throw new Error('PORT must be a fixed port in local mode (the Slack stand-in calls back into it).');
    const slackToken = config.slack.botToken ?? 'xoxb-local-panelist';
    const signingSecret =
      config.slack.signingSecret ??
      (isLocalSlack ? await localSecret(config.dataDir, 'slack-signing') : undefined);
    const slackApiUrl = isLocalSlack ? `http://127.0.0.1:${config.port}/dev/slack/api/` : config.slack.apiUrl;
    const effective: TConfig = {
      ...config,
      slack: { ...config.slack, signingSecret, apiUrl: slackApiUrl },
      transcriptLinks: {
        ...config.transcriptLinks,
        secret: config.transcriptLinks.secret ?? (await localSecret(config.dataDir, 'transcript-links')),
      },
      candidateLinks: {
        secret: config.candidateLinks.secret ?? (await localSecret(config.dataDir, 'candidate-links')),
      },
    };

    const producer = createRedis(config.redis.url, 'producer');
    producer.on('error', () => undefined);
    onStop('redis producer', async () => producer.quit());
    const queues = new JobQueues(producer, config.redis.prefix);
    onStop('queues', () => queues.close());

    const metrics = createMetrics({ defaultMetrics: true });
    // Few retries: a status line that misses one update is fixed by the next one.
    const statusSlack = createSlackClient({ token: slackToken, apiUrl: slackApiUrl, retries: 2 });
    const deps: TServiceDeps = {
      config: effective,
      prisma: db.prisma,
      queues,
      slack: createSlackClient({ token: slackToken, apiUrl: slackApiUrl }),
      ai: createAi(config.ai),
      logger,
      metrics,
      now: () => new Date(),
      faultPoint: createFaultPoints(config.faultPoints),
      // The scheduling message shows "In progress" / "Interview completed" as it happens; in the
      // background, so a slow Slack never delays the candidate.
      onInterviewStatusChange: (interviewId) => {
        refreshRootMessage(interviewId, { prisma: db.prisma, slack: statusSlack }).catch((err: Error) =>
          logger.warn(
            { interviewId, err: { message: err.message } },
            'could not update the scheduling message',
          ),
        );
      },
    };

    let workers: Worker[] = [];
    if (roles.includes('worker')) {
      const workerConnection = createRedis(config.redis.url, 'worker');
      workerConnection.on('error', () => undefined);
      // SMTP_URL unset: the outbox (DATA_DIR/outbox), listed in the local Slack stand-in.
      const mailer = createMailer(config, logger);
      onStop('mailer', () => mailer.close());
      // Checked now, so a wrong SMTP_URL stops start-up with a clear message, not at the first invite.
      await mailer.verify();
      workers = startWorkers({ ...deps, mailer }, workerConnection);
      // Repeating jobs (no-show expiry, retention); an upsert, so every worker may do it.
      await scheduleMaintenance(queues);
      await scheduleRetention(queues);
      onStop('redis worker', async () => workerConnection.quit());
      onStop('workers', () => closeWorkers(workers, config.shutdownTimeoutMs));
    }

    const mounts: Array<{ plugin: FastifyPluginAsync; prefix?: string }> = [];
    let initLocalBot: (() => Promise<void>) | undefined;
    if (roles.includes('bot')) {
      const bot = buildBot(deps, {
        token: slackToken,
        signingSecret,
        appToken: config.slack.appToken,
        apiUrl: slackApiUrl,
        isFirstSeen: redisReplayGuard(producer, `${config.redis.prefix}-slack-sig-`),
        deferInit: isLocalSlack,
      });
      if (isLocalSlack) initLocalBot = () => bot.app.init();
      if (bot.receiver) mounts.push({ plugin: bot.receiver.plugin });
      else {
        await bot.app.start();
        onStop('slack socket mode', () => bot.app.stop());
      }
    }
    if (isLocalSlack && roles.includes('bot')) {
      const { localSlackPlugin } = await loadLocalMode();
      mounts.push({
        plugin: await localSlackPlugin({ deps, token: slackToken, signingSecret: signingSecret! }),
        prefix: '/dev/slack',
      });
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (roles.includes('portal') || mounts.length > 0) {
      const portalDeps = {
        ...deps,
        // Each check has its own deadline, so /readyz answers within a second whatever stalls.
        readiness: {
          database: () =>
            withTimeout(
              db.prisma.$queryRaw`SELECT 1`.then(() => undefined),
              READINESS_DEADLINE_MS,
            ),
          redis: () =>
            withTimeout(
              producer.ping().then((pong) => {
                if (pong !== 'PONG') throw new Error('Redis did not answer PING');
              }),
              READINESS_DEADLINE_MS,
            ),
          ...(config.mail.smtpUrl
            ? { smtp: () => checkSmtp(config.mail.smtpUrl!, READINESS_DEADLINE_MS) }
            : {}),
          ...modelChecks(config.ai),
        },
      };
      app = await buildPortal(portalDeps, {
        mounts: [
          ...mounts,
          { plugin: metricsRoute(deps) },
          { plugin: adminQueuesPlugin(deps) },
          { plugin: adminExportsPlugin(deps) },
        ],
      });
      await app.listen({ host: config.host, port: config.port });
      // The stand-in's Slack API answers now: Bolt's auth.test can run (no ECONNREFUSED warning).
      await initLocalBot?.();
      const address = app.server.address();
      url = typeof address === 'object' && address ? `http://${config.host}:${address.port}` : undefined;
      onStop('http server', async () => {
        // Fastify closes the connections that are idle when close() starts; a request still
        // in flight then leaves its keep-alive connection open for keepAliveTimeout (72 s),
        // and SIGTERM under load hit the hard stop (fault suite). Close each one once idle.
        // The sweep starts after a second: Node counts an upgraded WebSocket as idle, and the
        // portal's preClose first tells candidates to reconnect (close 1001, handshake ≤ 1 s).
        let sweep: NodeJS.Timeout | undefined;
        const startSweep = setTimeout(() => {
          sweep = setInterval(() => app!.server.closeIdleConnections(), 100);
        }, 1100);
        try {
          await app!.close();
        } finally {
          clearTimeout(startSweep);
          clearInterval(sweep);
        }
      });
    }
    return { url, deps, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
