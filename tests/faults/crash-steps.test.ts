/**
 * Fault 13: a worker process SIGKILLed at each step of booking → notify → email (issue 13 point 2).
 * Each case arms one crash point (FAULT_POINTS, test only: the worker stops itself exactly there),
 * kills the worker, and lets a new worker process take the job over. Promises, in every case:
 * one seat, one scheduling message, one private-link DM, one invite delivered (never two, never
 * none), one "emailed" note, and both reminders scheduled. Roles run as separate processes: the
 * bot (Slack requests) and the workers, against the shared PostgreSQL/Redis of the suite.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_POINT_LINE } from '../../src/infra/fault-points.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppEnv, type TAppProcess, waitReady } from './support/app.js';
import { record } from './support/report.js';
import { sleep } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, RECRUITER, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const STEPS = [
  ['booking.after_deciding', 'seat taken, notify job not yet queued'],
  ['slack.after_posting', 'Slack accepted the scheduling message, the post not yet recorded'],
  ['email.before_claim', 'before the email is claimed'],
  ['email.before_sending', 'claimed and rendered, not yet handed to SMTP'],
  ['email.after_sending', 'SMTP accepted the invite, not yet recorded'],
  ['email.after_recording', 'recorded as sent; note and reminders not yet made'],
] as const;

let db: TTestDb;
let slack: TSlackPeer;
let smtp: SmtpTestServer;
let env: TAppEnv;
let bot: TAppProcess;
let driver: SlackDriver;
let queues: JobQueues;
let redis: Redis;
let roleId: string;
let slotId: string;
const prefix = testPrefix();
const workers: TAppProcess[] = [];
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  [db, slack, smtp] = await Promise.all([createTestDb(), startSlackPeer(), startSmtpServer()]);
  const seeded = await seed(db, [{ startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 20 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
  env = {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
    smtpUrl: smtp.url,
    // A dead worker's job is found within a couple of seconds once its lock is gone.
    extra: { WORKER_STALLED_INTERVAL_MS: '1000' },
  };
  bot = await startApp(['bot', 'portal'], env);
  await waitReady(bot);
  driver = new SlackDriver(slack.emulator, bot.url);
  redis = createRedis(TEST_REDIS_URL, 'plain');
  queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
});

afterAll(async () => {
  await Promise.all([bot?.stop('SIGKILL'), ...workers.map((w) => w.stop('SIGKILL'))]);
  await queues?.close();
  queues?.connection.disconnect();
  redis?.disconnect();
  await Promise.all([slack?.close(), smtp?.close()]);
  await cleanPrefix(prefix);
  await db?.drop();
  record('crash-steps', figures);
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
});

/** What BullMQ would see 30 s later: the dead worker's locks gone. */
async function expireLocks(): Promise<void> {
  const keys = await redis.keys(`${prefix}:*:lock`);
  if (keys.length > 0) await redis.del(...keys);
}

const dmTexts = () => slack.emulator.messagesIn(slack.emulator.dmChannelFor(RECRUITER).id).map((m) => m.text);

describe('a worker SIGKILLed at each step of booking → notify → email', () => {
  for (const [n, [point, what]] of STEPS.entries()) {
    it(`${point} (${what}): one seat, one message, one link DM, one invite, reminders scheduled`, async () => {
      const name = `Crash ${n} ${point.replace(/[._]/g, ' ')}`;
      const email = `crash${n}@example.com`;
      const w1 = await startApp(['worker'], { ...env, extra: { ...env.extra, FAULT_POINTS: point } });
      workers.push(w1);
      const r = await driver.schedule({ name, email, roleId, slotId });
      expect((r.json as { response_action?: string }).response_action).toBe('update');
      await expect
        .poll(() => w1.output().includes(`${FAULT_POINT_LINE} ${point}`), { timeout: 30_000 })
        .toBe(true);
      await w1.stop('SIGKILL');
      const killedAt = Date.now();
      await expireLocks();
      workers.push(await startApp(['worker'], env));

      await expect
        .poll(() => db.prisma.interview.count({ where: { candidate: { email } } }), { timeout: 30_000 })
        .toBe(1);
      const interview = await db.prisma.interview.findFirstOrThrow({ where: { candidate: { email } } });
      await expect
        .poll(
          async () =>
            (
              await db.prisma.emailDelivery.findFirst({
                where: { interviewId: interview.id, kind: 'invite' },
              })
            )?.status,
          { timeout: 40_000, interval: 200 },
        )
        .toMatch(/^(sent|failed)$/);
      const r24 = emailJobId({ interviewId: interview.id, kind: 'reminder_24h', revision: 1 });
      const r1 = emailJobId({ interviewId: interview.id, kind: 'reminder_1h', revision: 1 });
      await expect
        .poll(
          async () => [
            await queues.queue('email').getJobState(r24),
            await queues.queue('email').getJobState(r1),
          ],
          {
            timeout: 20_000,
          },
        )
        .toEqual(['delayed', 'delayed']);
      const recoveredMs = Date.now() - killedAt;
      await sleep(1500); // a duplicate post or send would show up now

      const delivery = await db.prisma.emailDelivery.findFirstOrThrow({
        where: { interviewId: interview.id, kind: 'invite' },
      });
      const fresh = await db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } });
      const roots = slack.emulator.messagesIn(CHANNEL).filter((m) => m.text.includes(name));
      const thread = slack.emulator
        .thread(CHANNEL, fresh.slackThreadTs!)
        .slice(1)
        .map((m) => m.text);
      const invites = smtp.messages.filter((m) => m.envelope.rcptTo.includes(email));
      const linkDms = dmTexts().filter((t) => t.includes(name));
      const sentNotes = thread.filter((t) => t.startsWith(':envelope: Invite emailed'));
      const unconfirmed = thread.filter((t) => t.startsWith(':grey_question:'));

      expect(await db.prisma.interview.count({ where: { candidate: { email } } })).toBe(1);
      expect(roots).toHaveLength(1);
      expect(roots[0]!.ts).toBe(fresh.slackThreadTs);
      expect(linkDms).toHaveLength(1);
      expect(invites).toHaveLength(1);
      if (point === 'email.after_sending') {
        // Inside the SMTP transaction: at most once. Not resent; the recruiter is told, once.
        expect(delivery.status).toBe('failed');
        expect(delivery.lastError).toMatch(/^unconfirmed/);
        expect(unconfirmed).toHaveLength(1);
        expect(sentNotes).toHaveLength(0);
      } else {
        expect(delivery.status).toBe('sent');
        expect(sentNotes).toHaveLength(1);
        expect(unconfirmed).toHaveLength(0);
      }
      figures[point] = {
        seats: 1,
        rootMessages: roots.length,
        linkDms: linkDms.length,
        invitesDelivered: invites.length,
        emailedNotes: sentNotes.length,
        unconfirmedNotes: unconfirmed.length,
        reminders: 2,
        recoveredMs,
      };
    });
  }

  it('every seat is accounted for', async () => {
    const slot = await db.prisma.slot.findUniqueOrThrow({ where: { id: slotId } });
    expect(slot.seatsTaken).toBe(await db.prisma.interview.count({ where: { slotId } }));
  });
});
