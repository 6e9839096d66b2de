/**
 * Fault 7: SIGTERM to each process under load (a deploy, a scale-down).
 * Promises: the worker finishes its in-flight jobs and exits cleanly, the rest wait in
 * the queue for the next worker (no lost job, none run twice); the bot answers every
 * request it accepted before it stops, and every form it accepted gets booked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyJobId } from '../../src/infra/queue/jobs/notify.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppEnv, type TAppProcess } from './support/app.js';
import { createInterview, openRoom } from './support/portal.js';
import { record } from './support/report.js';
import { sleep } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let env: TAppEnv;
const procs: TAppProcess[] = [];
let roleId: string;
let slotId: string;

beforeAll(async () => {
  [db, slack] = await Promise.all([createTestDb(), startSlackPeer()]);
  env = { databaseUrl: db.url, redisUrl: TEST_REDIS_URL, prefix, slackApiUrl: slack.url };
  const seeded = await seed(db, [{ startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 500 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
});

afterAll(async () => {
  slack.hook.before = undefined;
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await slack.close();
  await cleanPrefix(prefix);
  await db.drop();
});

async function start(roles: string[]) {
  const p = await startApp(roles, env);
  procs.push(p);
  return p;
}

describe('SIGTERM under load', () => {
  it('worker: finishes what it started, exits 0, and the next worker does the rest; every booking once', async () => {
    const bot = await start(['bot', 'portal']);
    const driver = new SlackDriver(slack.emulator, bot.url);
    // Slack answers slowly (300 ms a post), so jobs are mid-flight when the signal comes.
    slack.hook.before = async (m) => {
      if (m === 'chat.postMessage') await sleep(300);
    };
    const N = 30;
    for (let i = 0; i < N; i++) {
      const r = await driver.schedule({ name: `Load ${i}`, email: `load${i}@example.com`, roleId, slotId });
      expect(r.json).toMatchObject({ response_action: 'update' });
    }
    const w1 = await start(['worker']);
    await expect
      .poll(() => db.prisma.interview.count(), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(3);
    const signalled = Date.now();
    const code = await w1.stop('SIGTERM');
    const drainMs = Date.now() - signalled;
    expect(code).toBe(0);
    const doneByFirst = await db.prisma.interview.count({ where: { slackThreadTs: { not: null } } });
    expect(doneByFirst).toBeLessThan(N); // there was work left for the next worker
    // Whatever the first worker started, it finished: no job left active. A booking decided
    // but not yet confirmed has its notify job waiting for the next worker.
    const queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
    try {
      for (const q of ['booking', 'notify'] as const)
        expect(await queues.queue(q).getActiveCount(), `${q} jobs left active`).toBe(0);
      const unconfirmed = await db.prisma.interview.findMany({
        where: { slackThreadTs: null },
        select: { id: true },
      });
      for (const i of unconfirmed)
        expect(
          await queues
            .queue('notify')
            .getJobState(notifyJobId('', { outcome: 'booked', interviewId: i.id, revision: 1 })),
        ).toBe('waiting');
    } finally {
      await queues.close();
      queues.connection.disconnect();
    }

    await start(['worker']);
    await expect
      .poll(() => db.prisma.interview.count({ where: { slackThreadTs: { not: null } } }), { timeout: 60_000 })
      .toBe(N);
    await sleep(1000);
    expect(await db.prisma.interview.count()).toBe(N);
    expect((await db.prisma.slot.findUniqueOrThrow({ where: { id: slotId } })).seatsTaken).toBe(N);
    expect(slack.emulator.messagesIn(CHANNEL)).toHaveLength(N);
    record('sigterm-worker', {
      sent: N,
      doneBeforeSigterm: doneByFirst,
      drainMs,
      exitCode: code,
      lost: 0,
      duplicates: 0,
    });
  });

  it('bot: answers every request it accepted before stopping; every accepted form is booked', async () => {
    slack.hook.before = undefined;
    const before = await db.prisma.interview.count();
    const running = (role: string) => procs.find((p) => p.roles.includes(role) && p.proc.exitCode === null);
    const bot = running('bot') ?? (await start(['bot', 'portal']));
    if (!running('worker')) await start(['worker']);
    const driver = new SlackDriver(slack.emulator, bot.url);
    const users = Array.from({ length: 20 }, (_, i) => `U_TERM${i}`);
    for (const id of users) slack.emulator.addUser({ id, name: id.toLowerCase(), tz: 'Europe/Berlin' });
    const forms = [];
    for (const u of users) forms.push(await driver.openScheduleModal(u));
    const inputs = users.map((_, i) => ({
      name: `Term ${i}`,
      email: `term${i}@example.com`,
      roleId,
      slotId,
    }));
    // Twenty submissions at once, and SIGTERM in the middle of them.
    const sent = forms.map((f, i) =>
      driver.send(driver.submitBody(f, inputs[i]!, users[i])).then(
        (r) => ({
          ok: true as const,
          status: r.status,
          action: (r.json as { response_action?: string })?.response_action,
          body: r.body.slice(0, 300),
        }),
        (e: Error) => ({ ok: false as const, error: e.message }),
      ),
    );
    await sleep(15);
    const exit = bot.stop('SIGTERM');
    const results = await Promise.all(sent);
    const code = await exit;
    expect(code).toBe(0);
    const accepted = results.filter((r) => r.ok && r.action === 'update').length;
    const isAccepted = (r: (typeof results)[number]) => r.ok && r.status === 200 && r.action === 'update';
    const refused = results.filter((r) => !isAccepted(r)).length;
    // No request was cut off half-way: each was accepted in full, or refused with a 503 (or
    // not let in at all) so that Slack retries it.
    for (const r of results) if (r.ok && !isAccepted(r)) expect(r.status, r.body).toBe(503);
    // Slack retries a request that got no answer; the recruiter's form is still open. A new
    // bot process takes the retries, and the same forms book once.
    const bot2 = await start(['bot', 'portal']);
    driver.setBaseUrl(bot2.url);
    for (const [i, r] of results.entries()) {
      if (isAccepted(r)) continue;
      const again = await driver.send(driver.submitBody(forms[i]!, inputs[i]!, users[i]));
      expect((again.json as { response_action?: string }).response_action).toBe('update');
    }
    await expect.poll(() => db.prisma.interview.count(), { timeout: 30_000 }).toBe(before + users.length);
    await sleep(1000);
    expect(await db.prisma.interview.count()).toBe(before + users.length);
    record('sigterm-bot', {
      sent: users.length,
      acceptedBeforeExit: accepted,
      refused503OrNotLetIn: refused,
      lost: 0,
      duplicates: 0,
    });
  });

  it('portal: a live interview survives a restart — the answer in flight is recorded once, the candidate resumes', async () => {
    const portal = await start(['portal']);
    const questions = ['First?', 'Second?', 'Third?'];
    const { id, key } = await createInterview(db, questions);
    let room = await openRoom(portal.url, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    room.send({ type: 'answer', seq: 0, clientId: 'client-term-0000', text: 'Zero.', mode: 'typed' });
    await room.next('question');
    // An answer goes out and the process is told to stop at the same moment.
    const answer = { type: 'answer', seq: 1, clientId: 'client-term-0001', text: 'One.', mode: 'typed' };
    room.send(answer);
    const signalled = Date.now();
    const code = await portal.stop('SIGTERM');
    const stopMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    // A new portal process; the page reconnects and sends the unacknowledged answer again.
    const again = await startApp(['portal'], env, portal.port);
    procs.push(again);
    room = await openRoom(again.url, key);
    const state = (await room.next('state')).state as { current: { seq: number } };
    if (state.current.seq === 1) {
      room.send(answer);
      await room.next('question');
    }
    room.ws.close();
    const turns = await db.prisma.interviewTurn.findMany({
      where: { interviewId: id },
      orderBy: { seq: 'asc' },
    });
    expect(turns.filter((t) => t.answerText !== null).map((t) => t.answerText)).toEqual(['Zero.', 'One.']);
    expect(turns.map((t) => t.seq)).toEqual([0, 1, 2]);
    expect((await db.prisma.interview.findUniqueOrThrow({ where: { id } })).status).toBe('in_progress');
    record('sigterm-portal', {
      answerInFlight: state.current.seq === 1 ? 'resent after restart' : 'saved before exit',
      stopMs,
      exitCode: code,
      lost: 0,
      duplicates: 0,
    });
  });
});
