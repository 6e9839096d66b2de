/**
 * A whole Panelist for one test file, built from the real pieces: its own
 * PostgreSQL database, a Redis prefix, the Slack Web API emulator (strict), the
 * real Bolt app behind the real Fastify receiver, and (optionally) workers.
 * Slack requests are signed exactly as Slack signs them.
 */
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildBot } from '../../src/bot/app.js';
import type { TConfig } from '../../src/config.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import type { TJobName } from '../../src/infra/queue/catalogue.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { startWorkers } from '../../src/jobs/index.js';
import { closeWorkers } from '../../src/jobs/worker.js';
import { buildPortal } from '../../src/portal/app.js';
import type { TServiceDeps } from '../../src/services/deps.js';
import type { SlackApiEmulator, SlackViewOutput } from '../../tools/slack-emulator/emulator.js';
import { startSlackApiServer } from '../../tools/slack-emulator/server.js';
import {
  actionFromBlocks,
  blockActionsPayload,
  blockSuggestionPayload,
  interactionBody,
  type MessageRef,
  type SlackRequestResult,
  sendSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import type { ViewInput } from '../../tools/slack-emulator/view-state.js';
import { testConfig } from './config.js';
import { createTestDb, type TTestDb } from './db.js';
import { cleanPrefix, testPrefix } from './redis.js';

export const RECRUITER = 'U_RECRUITER';
export const CHANNEL = 'C_RECRUITING';

export type TStack = {
  config: TConfig;
  db: TTestDb;
  deps: TServiceDeps;
  slack: SlackApiEmulator;
  slackApiUrl: string;
  url: string;
  prefix: string;
  /** Moves the clock the app sees. */
  setNow(date: Date): void;
  startWorkers(only?: TJobName[]): void;
  stopWorkers(): Promise<void>;
  send(body: string, opts?: { timestamp?: number; secret?: string }): Promise<SlackRequestResult>;
  command(
    command: string,
    text?: string,
    opts?: { user?: string; channel?: string },
  ): Promise<SlackRequestResult>;
  /** Fills the open modal of `user` and submits it as Slack would. */
  submit(
    view: SlackViewOutput,
    values: Record<string, Record<string, ViewInput>>,
    user?: string,
  ): Promise<SlackRequestResult>;
  clickInMessage(
    channel: string,
    message: { ts: string; blocks?: unknown[]; text?: string; thread_ts?: string | undefined },
    actionId: string,
    user?: string,
  ): Promise<SlackRequestResult>;
  clickInView(
    view: SlackViewOutput,
    actionId: string,
    value?: string,
    user?: string,
  ): Promise<SlackRequestResult>;
  suggest(view: SlackViewOutput, actionId: string, query: string, user?: string): Promise<SlackRequestResult>;
  waitForJobs(
    queue: TJobName,
    predicate: (counts: Record<string, number>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, number>>;
  close(): Promise<void>;
};

export async function startStack(opts: { now?: Date; config?: Partial<TConfig> } = {}): Promise<TStack> {
  const db = await createTestDb();
  const prefix = testPrefix();
  const slackServer = await startSlackApiServer({ token: 'xoxb-test-token', strict: true });
  slackServer.emulator.addUser({
    id: RECRUITER,
    name: 'rita',
    tz: 'America/New_York',
    email: 'rita@acme.test',
  });
  const base = testConfig({}, opts.config);
  const config: TConfig = {
    ...base,
    redis: { ...base.redis, prefix },
    slack: { ...base.slack, apiUrl: slackServer.url },
  };
  let now = opts.now;
  const producer = createRedis(config.redis.url, 'producer');
  const queues = new JobQueues(producer, prefix);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const deps: TServiceDeps = {
    config,
    prisma: db.prisma,
    queues,
    slack: createSlackClient({ token: 'xoxb-test-token', apiUrl: slackServer.url }),
    ai: undefined,
    logger,
    metrics: createMetrics(),
    now: () => now ?? new Date(),
  };
  const bot = buildBot(deps, {
    token: 'xoxb-test-token',
    signingSecret: config.slack.signingSecret,
    apiUrl: slackServer.url,
    isFirstSeen: async (sig) => (await producer.set(`${prefix}-sig-${sig}`, '1', 'EX', 360, 'NX')) === 'OK',
  });
  const app: FastifyInstance = await buildPortal(deps, { mounts: [{ plugin: bot.receiver!.plugin }] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const endpoint = `${url}/slack/events`;
  let workers: Worker[] = [];
  let workerConnection: Redis | undefined;
  const secret = config.slack.signingSecret!;
  const emulator = slackServer.emulator;

  const stack: TStack = {
    config,
    db,
    deps,
    slack: emulator,
    slackApiUrl: slackServer.url,
    url,
    prefix,
    setNow(date) {
      now = date;
    },
    startWorkers(only) {
      workerConnection ??= createRedis(config.redis.url, 'worker');
      workers.push(...startWorkers(deps, workerConnection, only ? { only } : {}));
    },
    async stopWorkers() {
      await closeWorkers(workers, 5000);
      workers = [];
    },
    send: (body, o = {}) =>
      sendSlackRequest(endpoint, body, o.secret ?? secret, o.timestamp ? { timestamp: o.timestamp } : {}),
    command: (command, text = '', o = {}) =>
      stack.send(
        slashCommandBody({
          command,
          text,
          userId: o.user ?? RECRUITER,
          channelId: o.channel ?? CHANNEL,
          triggerId: emulator.issueTriggerId(o.user ?? RECRUITER),
        }),
      ),
    submit: (view, values, user = RECRUITER) => {
      const filled = emulator.submitViewState(view.id, values);
      return stack.send(
        interactionBody(
          viewSubmissionPayload({ user, view: filled, triggerId: emulator.issueTriggerId(user) }),
        ),
      );
    },
    clickInMessage: (channel, message, actionId, user = RECRUITER) =>
      stack.send(
        interactionBody(
          blockActionsPayload({
            user,
            channel,
            message: { ...message } as MessageRef,
            actions: [actionFromBlocks(message.blocks, actionId)],
            triggerId: emulator.issueTriggerId(user),
          }),
        ),
      ),
    clickInView: (view, actionId, value, user = RECRUITER) => {
      const action = actionFromBlocks(view.blocks, actionId);
      if (value !== undefined) action.value = value;
      return stack.send(
        interactionBody(
          blockActionsPayload({ user, view, actions: [action], triggerId: emulator.issueTriggerId(user) }),
        ),
      );
    },
    suggest: (view, actionId, query, user = RECRUITER) => {
      const block = (view.blocks as Array<{ block_id?: string; element?: { action_id?: string } }>).find(
        (b) => b.element?.action_id === actionId,
      );
      return stack.send(
        interactionBody(
          blockSuggestionPayload({
            user,
            actionId,
            blockId: block?.block_id ?? actionId,
            value: query,
            view,
          }),
        ),
      );
    },
    async waitForJobs(queue, predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await queues.queue(queue).getJobCounts();
        if (predicate(counts)) return counts;
        if (Date.now() > deadline)
          throw new Error(`queue ${queue} did not reach the state: ${JSON.stringify(counts)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await closeWorkers(workers, 5000);
      await app.close();
      await queues.close();
      producer.disconnect();
      workerConnection?.disconnect();
      await slackServer.close();
      await cleanPrefix(prefix);
      await db.drop();
    },
  };
  return stack;
}

/** A role and some slots to book into. */
export async function seed(
  deps: Pick<TServiceDeps, 'prisma'>,
  slots: Array<{ startsAt: Date; capacity?: number; durationMinutes?: number; seatsTaken?: number }>,
) {
  const role = await deps.prisma.role.create({
    data: {
      title: 'Backend Engineer',
      description: 'Builds and runs our APIs.',
      competencies: [
        { key: 'system_design', name: 'System design', description: 'Designs for failure and scale' },
        { key: 'communication', name: 'Communication', description: 'Explains trade-offs clearly' },
      ],
    },
  });
  const created = [];
  for (const s of slots) {
    created.push(
      await deps.prisma.slot.create({
        data: {
          startsAt: s.startsAt,
          durationMinutes: s.durationMinutes ?? 30,
          capacity: s.capacity ?? 1,
          seatsTaken: s.seatsTaken ?? 0,
          timeZone: 'America/New_York',
        },
      }),
    );
  }
  return { role, slots: created };
}
