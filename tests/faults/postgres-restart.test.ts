/**
 * Fault 3: PostgreSQL restarts (pg_ctl stop -m fast, then start) while recruiters book
 * and bookings are being processed. Runs `main.ts bot portal` and `main.ts worker`
 * against a private PostgreSQL cluster.
 * Promises: no partial writes (seats taken = interviews, each booked once, each with its
 * confirmation); requests during the outage fail clearly within Slack's 3 s; the same
 * requests succeed when retried; jobs caught by the outage finish after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { createPrisma } from '../../src/infra/db/client.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppProcess } from './support/app.js';
import { createInterview, openRoom } from './support/portal.js';
import { record } from './support/report.js';
import { sleep, startPrivatePostgres, type TPrivatePostgres } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, holdCalls, RECRUITER, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const OUTAGE_MS = 10_000;
const prefix = testPrefix();

let pgc: TPrivatePostgres;
let prisma: PrismaClient;
let slack: TSlackPeer;
let bot: TAppProcess;
let worker: TAppProcess;
let driver: SlackDriver;
let roleId: string;
let slotId: string;

beforeAll(async () => {
  [pgc, slack] = await Promise.all([startPrivatePostgres(), startSlackPeer()]);
  const url = await pgc.createDatabase('panelist_faults');
  const env = { databaseUrl: url, redisUrl: TEST_REDIS_URL, prefix, slackApiUrl: slack.url };
  // The first process applies the migrations; the second finds them applied.
  bot = await startApp(['bot', 'portal'], env);
  worker = await startApp(['worker'], env);
  prisma = createPrisma(url);
  const seeded = await seed({ prisma }, [{ startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 100 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
  driver = new SlackDriver(slack.emulator, bot.url);
});

afterAll(async () => {
  slack.hook.before = undefined;
  await Promise.all([bot?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
  await prisma?.$disconnect();
  await slack?.close();
  pgc?.close();
  await cleanPrefix(prefix);
});

describe('PostgreSQL restart', () => {
  it(`refuses clearly during a ${OUTAGE_MS / 1000} s restart, finishes the jobs it caught, books every retried form once`, async () => {
    // Eight bookings are accepted and being processed (their confirmation post is held) when PostgreSQL goes.
    const { release, held: heldCalls } = holdCalls(slack, 'chat.postMessage');
    for (let i = 1; i <= 8; i++) {
      const r = await driver.schedule({ name: `Early ${i}`, email: `early${i}@example.com`, roleId, slotId });
      expect(r.json).toMatchObject({ response_action: 'update' });
    }
    // A worker runs four booking jobs at a time: four are mid-job, four wait in the queue.
    await expect.poll(heldCalls, { timeout: 10_000 }).toBe(4);
    // Five recruiters have the form open, to submit while the database is away.
    const users = [1, 2, 3, 4, 5].map((n) => `U_REC${n}`);
    for (const id of users) slack.emulator.addUser({ id, name: id.toLowerCase(), tz: 'Europe/Berlin' });
    const openForms = [];
    for (const u of users) openForms.push(await driver.openScheduleModal(u));

    pgc.stop();
    const down = Date.now();
    release();
    // A form submitted now cannot be checked: refused inline, within 3 s, nothing queued.
    const refused: Array<{ ms: number; error: string | undefined }> = [];
    for (const [i, view] of openForms.entries()) {
      const r = await driver.send(
        driver.submitBody(
          view,
          { name: `During ${i}`, email: `during${i}@example.com`, roleId, slotId },
          users[i],
        ),
      );
      const body = r.json as { response_action?: string; errors?: Record<string, string> };
      refused.push({ ms: r.ms, error: body.errors?.slot });
      expect(r.status).toBe(200);
      expect(body.response_action).toBe('errors');
    }
    // A slash command still gets its ack, then a private "try again in a moment".
    const ephemeralsBefore = slack.emulator.ephemeralsFor(RECRUITER).length;
    const cmd = await driver.send(driver.commandBody('/schedule-interview'));
    expect(cmd.status).toBe(200);
    expect(cmd.ms).toBeLessThan(3000);
    await expect
      .poll(() => slack.emulator.ephemeralsFor(RECRUITER).length, { timeout: 5000 })
      .toBe(ephemeralsBefore + 1);
    expect(slack.emulator.ephemeralsFor(RECRUITER).at(-1)!.text).toBe(
      'Panelist could not open the form: a service it needs is not answering. Please try again in a moment.',
    );
    for (const r of refused) {
      expect(r.ms).toBeLessThan(3000);
      expect(r.error).toBe(
        'Panelist could not check the slot (its database is not answering). Submit again in a moment.',
      );
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    pgc.start();
    const up = Date.now();

    // Retried, the same forms are accepted (the first try may meet a pool still reconnecting).
    let firstAcceptedMs: number | undefined;
    for (const [i, view] of openForms.entries()) {
      for (;;) {
        const r = await driver.send(
          driver.submitBody(
            view,
            { name: `During ${i}`, email: `during${i}@example.com`, roleId, slotId },
            users[i],
          ),
        );
        expect(r.ms).toBeLessThan(3000);
        if ((r.json as { response_action?: string }).response_action === 'update') break;
        if (Date.now() - up > 15_000) throw new Error(`still refused 15 s after the restart: ${r.body}`);
        await sleep(250);
      }
      firstAcceptedMs ??= Date.now() - up;
    }
    const total = 8 + openForms.length;
    await expect.poll(() => prisma.interview.count(), { timeout: 40_000, interval: 250 }).toBe(total);
    // Every interview's confirmation is out and linked (the held jobs retried their write).
    await expect
      .poll(() => prisma.interview.count({ where: { slackThreadTs: { not: null } } }), {
        timeout: 40_000,
        interval: 250,
      })
      .toBe(total);
    const recoveredMs = Date.now() - up;
    await sleep(1000);
    expect((await prisma.slot.findUniqueOrThrow({ where: { id: slotId } })).seatsTaken).toBe(total);
    const roots = slack.emulator.messagesIn(CHANNEL);
    expect(roots).toHaveLength(total);
    const linked = await prisma.interview.findMany({ select: { slackThreadTs: true } });
    expect(new Set(linked.map((l) => l.slackThreadTs)).size).toBe(total);
    record('postgres-restart', {
      outageSeconds: OUTAGE_MS / 1000,
      inFlightJobs: 8,
      refusedClearly: refused.length + 1,
      maxAnswerMsDuringOutage: Math.round(Math.max(...refused.map((r) => r.ms), cmd.ms)),
      lost: 0,
      duplicates: roots.length - total,
      firstAcceptedAfterRestartMs: firstAcceptedMs,
      allConfirmedAfterRestartMs: recoveredMs,
    });
  });

  it('a candidate mid-interview: an answer sent during the restart is not half-saved; sent again, it is recorded once and the interview resumes', async () => {
    const questions = ['First question?', 'Second question?', 'Third question?'];
    const { id, key } = await createInterview({ prisma }, questions);
    let room = await openRoom(bot.url, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    room.send({ type: 'answer', seq: 0, clientId: 'client-pg-0000', text: 'Answer zero.', mode: 'typed' });
    expect(((await room.next('question')).turn as { seq: number }).seq).toBe(1);

    pgc.stop();
    const down = Date.now();
    const answer = {
      type: 'answer',
      seq: 1,
      clientId: 'client-pg-0001',
      text: 'Answer one, sent during the restart.',
      mode: 'typed',
    };
    room.send(answer);
    // The candidate is told something went wrong (or the connection drops), at once.
    const told = await Promise.race([
      room.next('error', 10_000).then((m) => String(m.code)),
      new Promise<string>((r) => room.ws.once('close', () => r('closed'))),
    ]);
    const toldMs = Date.now() - down;
    expect(toldMs).toBeLessThan(5000);
    await sleep(Math.max(0, 5000 - (Date.now() - down)));
    pgc.start();
    const up = Date.now();

    // The page sends the same answer again (same clientId) until it goes through.
    let nextSeq: number | undefined;
    while (nextSeq === undefined) {
      if (Date.now() - up > 20_000) throw new Error('the interview did not resume 20 s after the restart');
      if (room.ws.readyState !== room.ws.OPEN) {
        room = await openRoom(bot.url, key);
        const state = (await room.next('state').catch(() => undefined))?.state as
          | { current?: { seq: number } }
          | undefined;
        if (state?.current?.seq === 2) nextSeq = 2; // it had been saved after all
        if (nextSeq !== undefined) break;
      }
      room.send(answer);
      const q = await room.next('question', 1500).catch(() => undefined);
      if (q) nextSeq = (q.turn as { seq: number }).seq;
      else await room.next('error', 100).catch(() => undefined);
    }
    const resumedMs = Date.now() - up;
    expect(nextSeq).toBe(2);
    room.ws.close();
    const turns = await prisma.interviewTurn.findMany({
      where: { interviewId: id },
      orderBy: { seq: 'asc' },
    });
    expect(turns.filter((t) => t.answerText !== null).map((t) => t.answerText)).toEqual([
      'Answer zero.',
      'Answer one, sent during the restart.',
    ]);
    expect((await prisma.interview.findUniqueOrThrow({ where: { id } })).status).toBe('in_progress');
    record('postgres-restart-candidate', {
      outageSeconds: 5,
      told,
      toldMs,
      answersLost: 0,
      duplicates: 0,
      resumedAfterRestartMs: resumedMs,
    });
  });
});
