/**
 * Fault 12: Redis stalls (SIGSTOP for 20 s: a long fork, a stalled network) while 50 schedule
 * forms are submitted over 6 s. Unlike a killed Redis, a stalled one keeps its connections open:
 * every command waits, and a command the client gave up on still runs when Redis resumes.
 * Promises: every Slack request is answered within 2.5 s; a submission whose job could not be
 * queued in time is refused inline ("submit again") and never booked, even when its late add runs
 * after all; every accepted one is booked exactly once; the candidate's page and /readyz answer
 * within 1 s (/readyz says "redis: timeout"); a wrong key is answered as limited while the limiter
 * cannot count (it fails closed), a valid key works; a worker SIGTERMed during the stall stops by
 * force within SHUTDOWN_TIMEOUT_MS + 5 s with exit code 124. Roles run as separate processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionKey } from '../../src/domain/session-key.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import type { SlackViewOutput } from '../../tools/slack-emulator/emulator.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppEnv, type TAppProcess, waitReady } from './support/app.js';
import { createInterview } from './support/portal.js';
import { record } from './support/report.js';
import { sleep, startPrivateRedis, type TPrivateRedis } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const STALL_MS = 20_000;
const FORMS = 50;
const SPREAD_MS = 6000;
/**
 * After Redis resumes: the jobs the force-stopped worker held are run again once their lock expires
 * (BullMQ's 30 s, last renewed before the stall) and the other worker's stalled-job check (every 1 s
 * here) finds them; then their bookings and retries finish.
 */
const RECOVERY_MS = 45_000;
const QUEUE_DOWN =
  'Panelist could not queue this right now (its job queue is not answering). Nothing was booked; submit again in a moment.';

let redis: TPrivateRedis;
let db: TTestDb;
let slack: TSlackPeer;
let env: TAppEnv;
const procs: TAppProcess[] = [];
let roleId: string;
let slotId: string;

beforeAll(async () => {
  [redis, db, slack] = await Promise.all([startPrivateRedis(), createTestDb(), startSlackPeer()]);
  const seeded = await seed(db, [{ startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 200 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
  env = { databaseUrl: db.url, redisUrl: redis.url, prefix: testPrefix(), slackApiUrl: slack.url };
  procs.push(
    ...(await Promise.all([
      startApp(['bot', 'portal'], env),
      // Looks for jobs of dead workers every second (default 30 s), as crash-steps does.
      startApp(['worker'], { ...env, extra: { WORKER_STALLED_INTERVAL_MS: '1000' } }),
      // The worker that is told to stop during the stall.
      startApp(['worker'], { ...env, extra: { SHUTDOWN_TIMEOUT_MS: '2000' } }),
    ])),
  );
}, 240_000);

afterAll(async () => {
  redis?.resume();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await slack?.close();
  await redis?.close();
  await db?.drop();
});

type TAnswer = { i: number; status: number; ms: number; answer: string; sentAt: number };

async function timed(url: string): Promise<{ status: number; ms: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  return { status: res.status, ms: performance.now() - t, body };
}

describe('Redis stalled', () => {
  it(`answers within 2.5 s during a ${STALL_MS / 1000} s stall; refused forms are never booked, accepted ones once`, async () => {
    const [bot, , stopper] = procs as [TAppProcess, TAppProcess, TAppProcess];
    const driver = new SlackDriver(slack.emulator, bot.url);
    await waitReady(bot);
    const users = Array.from({ length: FORMS }, (_, i) => `U_STALL${i}`);
    for (const id of users) slack.emulator.addUser({ id, name: id.toLowerCase(), tz: 'Europe/Berlin' });
    const forms: SlackViewOutput[] = [];
    for (const u of users) forms.push(await driver.openScheduleModal(u));
    const input = (i: number) => ({ name: `Stall ${i}`, email: `stall${i}@example.com`, roleId, slotId });
    const live = await createInterview(db, ['Tell me about a system you designed.']);

    // 50 submissions over 6 s; Redis stalls 1.2 s in, with submissions in flight.
    const t0 = performance.now();
    let stalledAt = 0;
    const stall = sleep(1200).then(() => {
      redis.pause();
      stalledAt = performance.now() - t0;
    });
    const sent: Array<Promise<TAnswer>> = [];
    for (let i = 0; i < FORMS; i++) {
      const sentAt = performance.now() - t0;
      sent.push(
        driver.send(driver.submitBody(forms[i]!, input(i), users[i])).then((r) => {
          const body = r.json as { response_action?: string; errors?: Record<string, string> } | undefined;
          return {
            i,
            status: r.status,
            ms: r.ms,
            sentAt,
            answer:
              body?.response_action === 'errors'
                ? (body.errors?.slot ?? JSON.stringify(body.errors))
                : String(body?.response_action),
          };
        }),
      );
      await sleep(SPREAD_MS / FORMS);
    }
    await stall;
    // While Redis is stalled: the other request paths, and a SIGTERM to a worker.
    const command = await driver.send(driver.commandBody('/schedule-interview', '', users[0]));
    const readyz = await timed(`${bot.url}/readyz`);
    const page = await timed(`${bot.url}/interview?session_key=${live.key}`);
    const wrongKey = await timed(`${bot.url}/interview?session_key=${generateSessionKey()}`);
    const termAt = performance.now();
    const stopped = stopper.stop('SIGTERM').then((code) => ({ code, ms: performance.now() - termAt }));
    const answers = await Promise.all(sent);
    const forced = await stopped;
    const stalledFor = performance.now() - t0 - stalledAt;
    await sleep(Math.max(0, STALL_MS - stalledFor));
    redis.resume();
    const resumedAt = performance.now();

    // Every request answered in time, each either accepted or refused with "submit again".
    const late = answers.filter((a) => a.status !== 200 || a.ms >= 2500);
    expect(late, 'answers not 200 or not within 2.5 s').toEqual([]);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.ms).toBeLessThan(2500);
      expect(['update', QUEUE_DOWN]).toContain(a.answer);
    }
    const accepted = answers.filter((a) => a.answer === 'update');
    const refused = answers.filter((a) => a.answer === QUEUE_DOWN);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(2500);
    expect(readyz.ms).toBeLessThan(1000);
    expect(readyz.status).toBe(503);
    expect(JSON.parse(readyz.body)).toEqual({ ok: false, checks: { database: 'ok', redis: 'timeout' } });
    expect(page.ms).toBeLessThan(1000);
    expect(page.status).toBe(200);
    expect(wrongKey.ms).toBeLessThan(1500); // the limiter's own 700 ms deadline, then 429
    expect(wrongKey.status).toBe(429); // the limiter cannot count: a wrong key fails closed
    expect(forced.code).toBe(124);
    expect(forced.ms).toBeLessThan(2000 + 5000 + 1500);

    // After the stall: the accepted ones are booked once each, the refused ones never, even
    // though some of their adds reached Redis late (the booking job finds them refused).
    const queues = new JobQueues(createRedis(redis.url, 'producer'), env.prefix);
    try {
      const emailsOf = (list: TAnswer[]) => list.map((a) => `stall${a.i}@example.com`);
      await expect
        .poll(
          async () =>
            db.prisma.interview.count({ where: { candidate: { email: { in: emailsOf(accepted) } } } }),
          { timeout: RECOVERY_MS, interval: 200 },
        )
        .toBe(accepted.length);
      const bookedMs = performance.now() - resumedAt;
      await expect
        .poll(
          async () => {
            const c = await queues
              .queue('booking')
              .getJobCounts('waiting', 'active', 'delayed', 'prioritized');
            return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
          },
          { timeout: RECOVERY_MS, interval: 200 },
        )
        .toBe(0);
      const completed = await queues.queue('booking').getCompleted(0, 500);
      const lateAddsRefused = completed.filter((j) => j.returnvalue === 'refused').length;
      expect(
        await db.prisma.interview.count({ where: { candidate: { email: { in: emailsOf(refused) } } } }),
      ).toBe(0);
      expect(
        await db.prisma.bookingRequest.count({
          where: { candidateEmail: { in: emailsOf(refused) }, status: 'refused' },
        }),
      ).toBe(refused.length);

      // The recruiters submit the refused forms again: each books once.
      for (const a of refused) {
        const again = await driver.send(driver.submitBody(forms[a.i]!, input(a.i), users[a.i]));
        expect(again.ms).toBeLessThan(2500);
        expect((again.json as { response_action?: string }).response_action).toBe('update');
      }
      await expect
        .poll(() => db.prisma.interview.count(), { timeout: 30_000, interval: 200 })
        .toBe(FORMS + 1);
      await sleep(1500); // a duplicate would show up now
      expect(await db.prisma.interview.count()).toBe(FORMS + 1);
      expect((await db.prisma.slot.findUniqueOrThrow({ where: { id: slotId } })).seatsTaken).toBe(FORMS);
      const perEmail = await db.prisma.candidate.findMany({
        where: { email: { startsWith: 'stall' } },
        select: { _count: { select: { interviews: true } } },
      });
      expect(perEmail.map((c) => c._count.interviews)).toEqual(Array(FORMS).fill(1));
      await expect
        .poll(() => slack.emulator.messagesIn(CHANNEL).filter((m) => m.text.includes('Stall ')).length, {
          timeout: 30_000,
        })
        .toBe(FORMS);
      record('redis-stall', {
        promise: 'Redis stalled 20 s: every Slack answer < 2.5 s; refused never booked; accepted once',
        stallSeconds: STALL_MS / 1000,
        submissions: FORMS,
        stalledAfterMs: Math.round(stalledAt),
        accepted: accepted.length,
        refusedInline: refused.length,
        lateAddsRefusedByTheBookingJob: lateAddsRefused,
        refusedButBooked: 0,
        duplicates: 0,
        maxAnswerMs: Math.round(Math.max(...answers.map((a) => a.ms))),
        slashCommandMs: Math.round(command.ms),
        readyzMs: Math.round(readyz.ms),
        candidatePageMs: Math.round(page.ms),
        wrongKeyMs: Math.round(wrongKey.ms),
        forcedStopExitCode: forced.code,
        forcedStopMs: Math.round(forced.ms),
        acceptedBookedAfterResumeMs: Math.round(bookedMs),
      });
    } finally {
      await queues.close();
      queues.connection.disconnect();
    }
  }, 300_000);
});
