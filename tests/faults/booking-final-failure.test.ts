/**
 * A booking that can never finish (here: Slack answers `fatal_error` to the confirmation on every try)
 * must not vanish after the recruiter was told "accepted": the last attempt of its notify job tells
 * the recruiter, in a DM, what state the booking is in.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyJobId } from '../../src/infra/queue/jobs/notify.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { submitBooking } from '../helpers/booking.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppProcess } from './support/app.js';
import { CHANNEL, RECRUITER, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let worker: TAppProcess;
let queues: JobQueues;

beforeAll(async () => {
  [db, slack] = await Promise.all([createTestDb(), startSlackPeer()]);
  queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
  worker = await startApp(['worker'], {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
  });
});

afterAll(async () => {
  slack.hook.before = undefined;
  await worker?.stop('SIGKILL');
  await queues.close();
  queues.connection.disconnect();
  await slack.close();
  await cleanPrefix(prefix);
  await db.drop();
});

describe('a booking that fails for good', () => {
  it('tells the recruiter the candidate is booked but the confirmation could not be posted', async () => {
    const { role, slots } = await seed(db, [{ startsAt: new Date(Date.now() + 86_400_000), capacity: 2 }]);
    slack.hook.before = (method, args) =>
      method === 'chat.postMessage' && args.channel === CHANNEL ? { error: 'fatal_error' } : undefined;
    const { requestId, jobId: id } = await submitBooking(db.prisma, queues, {
      id: `final-${randomBytes(6).toString('hex')}`,
      slotId: slots[0]!.id,
      roleId: role.id,
      candidate: { name: 'Max <!channel>', email: 'max@example.com', timeZone: 'UTC' },
      recruiter: { userId: RECRUITER },
      channelId: CHANNEL,
    });
    // The seat is decided at once; telling Slack is the notify job's, and that is what fails.
    await expect
      .poll(async () => (await queues.queue('booking').getJob(id))?.getState(), { timeout: 20_000 })
      .toBe('completed');
    const interview = await db.prisma.interview.findFirstOrThrow({ where: { bookingRequestId: requestId } });
    const notify = notifyJobId(requestId, { outcome: 'booked', interviewId: interview.id, revision: 1 });
    // Every retry fails the same way; skip the backoff between them (1 + 2 + … + 64 s) to reach the last one.
    await expect
      .poll(
        async () => {
          const job = await queues.queue('notify').getJob(notify);
          const state = await job?.getState();
          if (state === 'delayed') await job!.promote().catch(() => undefined);
          return state;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe('failed');
    expect((await queues.queue('notify').getJob(notify))!.attemptsMade).toBe(8);
    const dm = slack.emulator.messagesIn(slack.emulator.dmChannelFor(RECRUITER).id);
    expect(dm.map((m) => m.text)).toEqual([
      ':warning: Max &lt;!channel&gt; is booked, but Panelist could not finish the confirmation (a service it needs did not answer). Check the interview in App Home; the invite email may need a resend.',
    ]);
    expect(await db.prisma.interview.count()).toBe(1);
  });
});
