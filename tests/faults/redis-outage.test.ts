/**
 * Fault 2: Redis stops (SIGKILL) while recruiters schedule.
 * Promises: Slack gets an answer within 3 s for every request (a clear "submit again
 * in a moment" when the booking cannot be queued, never a silent loss); bookings
 * that were in flight when Redis died finish once it is back; resubmitted forms book
 * exactly once. Runs the real processes: `main.ts bot portal` and `main.ts worker`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppProcess } from './support/app.js';
import { record } from './support/report.js';
import { FAULT_SCALE, sleep, startPrivateRedis, type TPrivateRedis } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, holdCalls, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const OUTAGE_MS = Math.round(30_000 * FAULT_SCALE);

let redis: TPrivateRedis;
let db: TTestDb;
let slack: TSlackPeer;
let bot: TAppProcess;
let worker: TAppProcess;
let driver: SlackDriver;
let roleId: string;
let slotId: string;

beforeAll(async () => {
  [redis, db, slack] = await Promise.all([startPrivateRedis(), createTestDb(), startSlackPeer()]);
  const seeded = await seed(db, [{ startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 200 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
  const env = { databaseUrl: db.url, redisUrl: redis.url, prefix: testPrefix(), slackApiUrl: slack.url };
  [bot, worker] = await Promise.all([startApp(['bot', 'portal'], env), startApp(['worker'], env)]);
  driver = new SlackDriver(slack.emulator, bot.url);
});

afterAll(async () => {
  slack.hook.before = undefined;
  await Promise.all([bot?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
  await slack?.close();
  await redis?.close();
  await db?.drop();
});

const roots = () => slack.emulator.messagesIn(CHANNEL);

describe('Redis outage', () => {
  it(`answers Slack within 3 s during a ${OUTAGE_MS / 1000} s outage, loses nothing, and books each form once after`, async () => {
    // Three bookings are mid-job (their Slack post is held) when Redis dies.
    const { release, held: heldCalls } = holdCalls(slack, 'chat.postMessage');
    for (const i of [1, 2, 3]) {
      const r = await driver.schedule({
        name: `Before ${i}`,
        email: `before${i}@example.com`,
        roleId,
        slotId,
      });
      expect(r.json).toMatchObject({ response_action: 'update' });
    }
    await expect.poll(heldCalls, { timeout: 10_000 }).toBe(3);

    await redis.kill();
    const outageStarted = Date.now();
    const during: Array<{ status: number; ms: number; answer: string; view: unknown }> = [];
    let commandsSent = 0;
    let i = 0;
    while (Date.now() - outageStarted < OUTAGE_MS) {
      i++;
      if (i === 3) release(); // the held jobs try to finish while Redis is still down
      commandsSent++;
      const r = await driver.schedule({
        name: `During ${i}`,
        email: `during${i}@example.com`,
        roleId,
        slotId,
      });
      const body = r.json as { response_action?: string; errors?: Record<string, string> } | undefined;
      during.push({
        status: r.status,
        ms: r.ms,
        answer:
          body?.response_action === 'errors' ? (body.errors?.slot ?? '') : String(body?.response_action),
        view: r.view,
      });
      await sleep(Math.max(0, 1000 - r.ms));
    }
    // Every request was answered within Slack's 3 s, each with the same clear message.
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (const d of during) {
      expect(d.status).toBe(200);
      expect(d.ms).toBeLessThan(3000);
      expect(d.answer).toBe(
        'Panelist could not queue this right now (its job queue is not answering). Nothing was booked; submit again in a moment.',
      );
    }
    const maxAckMs = Math.max(...during.map((d) => d.ms));

    await redis.start();
    const back = Date.now();
    // The recruiter submits the same forms again: now they are accepted (retrying for the
    // moment the producer needs to reconnect).
    let firstAcceptedMs: number | undefined;
    for (const [k, d] of during.entries()) {
      for (;;) {
        const view = d.view as Parameters<SlackDriver['submitBody']>[0];
        const r = await driver.send(
          driver.submitBody(view, {
            name: `During ${k + 1}`,
            email: `during${k + 1}@example.com`,
            roleId,
            slotId,
          }),
        );
        expect(r.ms).toBeLessThan(3000);
        if ((r.json as { response_action?: string }).response_action === 'update') break;
        if (Date.now() - back > 15_000)
          throw new Error('submissions still refused 15 s after Redis came back');
        await sleep(250);
      }
      firstAcceptedMs ??= Date.now() - back;
    }
    const total = 3 + during.length;
    await expect
      .poll(async () => db.prisma.interview.count(), { timeout: 30_000, interval: 200 })
      .toBe(total);
    const recoveredMs = Date.now() - back;
    await sleep(1500); // any duplicate run would show up now
    const slot = await db.prisma.slot.findUniqueOrThrow({ where: { id: slotId } });
    expect(slot.seatsTaken).toBe(total);
    expect(await db.prisma.interview.count()).toBe(total);
    // One confirmation per interview in the channel, none twice.
    const texts = roots().map((m) => m.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(roots()).toHaveLength(total);
    record('redis-outage', {
      promise: 'Redis down: Slack answered < 3 s, nothing lost, each form books once after',
      outageSeconds: OUTAGE_MS / 1000,
      sent: commandsSent * 2 + 3,
      refusedClearly: during.length,
      maxAckMsDuringOutage: Math.round(maxAckMs),
      lost: 0,
      duplicates: 0,
      firstAcceptedAfterRestartMs: firstAcceptedMs,
      allBookedAfterRestartMs: recoveredMs,
    });
  });
});
