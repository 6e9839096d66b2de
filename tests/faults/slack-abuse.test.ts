/**
 * Bad input and abuse against the running bot (`main.ts bot portal` + `main.ts worker`):
 * 8. requests that are not Slack's (no, wrong or stale signature), replays, malformed
 *    JSON, unknown callback ids, huge bodies → refused with the right status, nothing
 *    enqueued, the process unharmed;
 * 9. hostile modal input → refused inline with a clear message, or stored and shown
 *    escaped in Slack, in the email and on the candidate's page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import type { SlackViewOutput } from '../../tools/slack-emulator/emulator.js';
import {
  interactionBody,
  signSlackRequest,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppProcess } from './support/app.js';
import { record } from './support/report.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, RECRUITER, SIGNING_SECRET, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let smtp: SmtpTestServer;
let bot: TAppProcess;
let worker: TAppProcess;
let driver: SlackDriver;
let queues: JobQueues;
let roleId: string;
let slotId: string;
let pastSlotId: string;

beforeAll(async () => {
  [db, slack, smtp] = await Promise.all([createTestDb(), startSlackPeer(), startSmtpServer()]);
  const env = {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
    smtpUrl: smtp.url,
  };
  [bot, worker] = await Promise.all([startApp(['bot', 'portal'], env), startApp(['worker'], env)]);
  driver = new SlackDriver(slack.emulator, bot.url);
  queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
  const seeded = await seed(db, [
    { startsAt: new Date(Date.now() + 86_400_000), capacity: 10 },
    { startsAt: new Date(Date.now() + 20 * 60_000), capacity: 5 },
  ]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
  pastSlotId = seeded.slots[1]!.id;
});

afterAll(async () => {
  await Promise.all([bot?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
  await queues.close();
  queues.connection.disconnect();
  await Promise.all([slack.close(), smtp.close()]);
  await cleanPrefix(prefix);
  await db.drop();
});

const bookingJobs = async () => (await queues.queue('booking').getJobCounts()) as Record<string, number>;
const totalJobs = async () => Object.values(await bookingJobs()).reduce((a, b) => a + b, 0);

async function post(body: string, headers: Record<string, string>) {
  const started = performance.now();
  const res = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), ms: performance.now() - started };
}

describe('8. requests that are not from Slack', () => {
  it('are refused with the right status, enqueue nothing, and leave the process serving', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = driver.commandBody('/schedule-interview');
    const ts = Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<{ status: number }>, number]> = [
      ['no signature', () => post(body, form), 401],
      [
        'wrong signature',
        () => post(body, { ...form, ...signSlackRequest('wrong-secret-000000', body) }),
        401,
      ],
      [
        'stale timestamp (6 min)',
        () => post(body, { ...form, ...signSlackRequest(SIGNING_SECRET, body, ts - 360) }),
        401,
      ],
      [
        'future timestamp (6 min)',
        () => post(body, { ...form, ...signSlackRequest(SIGNING_SECRET, body, ts + 360) }),
        401,
      ],
      [
        'signature of another body',
        () => post(`${body}&text=evil`, { ...form, ...signSlackRequest(SIGNING_SECRET, body, ts) }),
        401,
      ],
      ['malformed JSON payload', () => driver.send('payload=%7Bnot-json'), 400],
      [
        'huge body (1 MB)',
        () => driver.send(interactionBody({ type: 'block_actions', pad: 'x'.repeat(1_000_000) })),
        413,
      ],
    ];
    const seen: Record<string, number> = {};
    for (const [name, send, expected] of cases) {
      const r = await send();
      seen[name] = r.status;
      expect(r.status, name).toBe(expected);
    }
    // A replay: the same signed request twice. A fresh command (its trigger_id lasts 3 s, and the
    // cases above can take longer on a busy machine); its modal opens before the next step looks.
    const genuine = driver.commandBody('/schedule-interview');
    const opensBefore = slack.emulator.callsTo('views.open').length;
    const replayTs = Math.floor(Date.now() / 1000);
    const first = await driver.send(genuine, { timestamp: replayTs });
    const replay = await driver.send(genuine, { timestamp: replayTs });
    expect([first.status, replay.status]).toEqual([200, 409]);
    await expect
      .poll(() => slack.emulator.callsTo('views.open').length, { timeout: 15_000 })
      .toBe(opensBefore + 1);
    expect(await totalJobs()).toBe(0);
    expect(bot.proc.exitCode).toBeNull();
    // Still serving: a genuine request works.
    const ok = await driver.schedule({ name: 'Real Person', email: 'real@example.com', roleId, slotId });
    expect(ok.json).toMatchObject({ response_action: 'update' });
    record('slack-abuse', {
      requests: cases.length + 2,
      refused: cases.length + 1,
      enqueued: 0,
      processAlive: true,
      statuses: seen,
    });
  });

  it('an unknown callback id is not acted on, and answers within Slack’s 3 s', async () => {
    const before = await totalJobs();
    const view = await driver.openScheduleModal();
    const forged = { ...structuredClone(view), callback_id: 'drop_tables' } as SlackViewOutput;
    const r = await driver.send(
      interactionBody(
        viewSubmissionPayload({
          user: RECRUITER,
          view: forged,
          triggerId: slack.emulator.issueTriggerId(RECRUITER),
        }),
      ),
    );
    expect(r.ms).toBeLessThan(3500);
    expect(r.status).not.toBe(500);
    expect(r.body).not.toContain('response_action');
    expect(await totalJobs()).toBe(before);
  });
});

describe('9. hostile modal input', () => {
  const base = () => ({ name: 'Ann Lee', email: 'ann@example.com', roleId, slotId });

  it('is refused inline with a clear message: bad email, unknown time zone, a slot that already started', async () => {
    const before = await totalJobs();
    const cases: Array<[Partial<ReturnType<typeof base>> & { tz?: string }, string, string]> = [
      [{ email: 'ann@@example.com' }, 'candidate_email', 'Enter an email address like name@example.com.'],
      [
        { email: 'Ann <ann@example.com>' },
        'candidate_email',
        'Enter an email address like name@example.com.',
      ],
      [
        { email: 'ann@example.com\r\nBcc: all@example.com' },
        'candidate_email',
        'Enter an email address like name@example.com.',
      ],
      [{ tz: 'Mars/Olympus_Mons' }, 'candidate_tz', 'Pick a time zone from the list (e.g. Asia/Kolkata).'],
      [{ slotId: pastSlotId }, 'slot', ''],
      [{ name: '\u0000\u0007  ' }, 'candidate_name', "Enter the candidate's name."],
    ];
    for (const [patch, field, message] of cases) {
      const view = await driver.openScheduleModal();
      // The slot was open when the form opened, and started before it was submitted.
      if (patch.slotId === pastSlotId)
        await db.prisma.slot.update({
          where: { id: pastSlotId },
          data: { startsAt: new Date(Date.now() - 60_000) },
        });
      const r = await driver.send(driver.submitBody(view, { ...base(), ...patch }));
      const json = r.json as { response_action: string; errors: Record<string, string> };
      expect(r.ms).toBeLessThan(3000);
      expect(json.response_action, JSON.stringify(patch)).toBe('errors');
      if (message) expect(json.errors[field]).toBe(message);
      else expect(json.errors[field]).toMatch(/^That slot has already started\./);
    }
    expect(await totalJobs()).toBe(before);
  });

  it('is stored and shown escaped everywhere: Slack messages, the email, the candidate’s page', async () => {
    const name = 'Zoë <!channel> <@U123> *bold* <script>alert(1)</script> & co';
    // Slack's input stops at 3,000 characters; a forged submission carries 10,000.
    // The form refuses it inline, naming the limit; within the limit it is kept as typed.
    const forged = await driver.schedule({
      name,
      email: 'ZOË@Exämple.de',
      tz: 'Asia/Kolkata',
      roleId,
      slotId,
      notes: `Referral from <!here>. ${'n'.repeat(10_000 - 23)}`,
    });
    expect(JSON.stringify(forged.json)).toMatch(/Notes can be at most 3000 characters \(these have 10000\)/);
    const notes = `Referral from <!here>. ${'n'.repeat(3000 - 23)}`;
    const r = await driver.schedule({
      name,
      email: 'ZOË@Exämple.de',
      tz: 'Asia/Kolkata',
      roleId,
      slotId,
      notes,
    });
    expect(r.json).toMatchObject({ response_action: 'update' });
    const [mail] = await smtp.waitFor(smtp.messages.length + 1, 30_000).then((m) => m.slice(-1));
    const interview = await db.prisma.interview.findFirstOrThrow({
      where: { candidate: { email: 'zoë@exämple.de' } },
      include: { candidate: true },
    });
    expect(interview.candidate.name).toBe(name); // stored as typed
    expect(interview.notes).toBe(notes); // kept as typed, within the field's limit
    // Slack: no mention, no broadcast, no formatting injected by the name.
    const root = slack.emulator.messagesIn(CHANNEL).find((m) => m.ts === interview.slackThreadTs)!;
    const everything = JSON.stringify([
      root,
      ...slack.emulator.messagesIn(slack.emulator.dmChannelFor(RECRUITER).id),
    ]);
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<!here>');
    expect(everything).not.toContain('<@U123>');
    expect(everything).toContain('&lt;!channel&gt;');
    // Email: delivered to the internationalised address; the name is text in the HTML.
    expect(mail!.envelope.rcptTo).toEqual(['zoë@exämple.de']);
    expect(mail!.parsed.html).not.toContain('<script>');
    expect(mail!.parsed.html).toContain('&lt;script&gt;');
    expect(mail!.parsed.headers.filter((h) => h.key === 'bcc')).toEqual([]);
    // The candidate's page, opened from the link in the email.
    const link = /https?:\/\/[^\s"<>]+\/interview\?session_key=[A-Za-z0-9_%-]+/.exec(
      mail!.parsed.text ?? '',
    )?.[0];
    expect(link).toBeDefined();
    const page = await fetch(link!.replace(/^https?:\/\/[^/]+/, bot.url));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).not.toContain('<script>alert(1)</script>');
  });
});
