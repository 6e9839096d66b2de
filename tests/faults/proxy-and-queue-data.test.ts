/**
 * Fault 14 (issue 13 points 3 and 4), with the roles as separate processes.
 * - Rotating X-Forwarded-For does not escape the wrong-key limit: by default the header is not
 *   believed at all; with TRUST_PROXY=1 only the hop the proxy added counts. A valid key works
 *   from a limited address.
 * - After a whole booking loop (Slack form → booking → notify → invite email → reminders queued),
 *   and again after a cancel and /interview-delete, a scan of everything under the queue prefix
 *   finds the candidate's email, name and key 0 times.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionKey } from '../../src/domain/session-key.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import {
  actionFromBlocks,
  blockActionsPayload,
  interactionBody,
  type MessageRef,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppEnv, type TAppProcess, waitReady } from './support/app.js';
import { createInterview } from './support/portal.js';
import { record } from './support/report.js';
import { SlackDriver } from './support/slack-driver.js';
import { CHANNEL, RECRUITER, startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

let db: TTestDb;
let slack: TSlackPeer;
let smtp: SmtpTestServer;
let env: TAppEnv;
let redis: Redis;
const prefix = testPrefix();
const procs: TAppProcess[] = [];

beforeAll(async () => {
  [db, slack, smtp] = await Promise.all([createTestDb(), startSlackPeer(), startSmtpServer()]);
  env = { databaseUrl: db.url, redisUrl: TEST_REDIS_URL, prefix, slackApiUrl: slack.url, smtpUrl: smtp.url };
  redis = createRedis(TEST_REDIS_URL, 'plain');
}, 240_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  redis?.disconnect();
  await Promise.all([slack?.close(), smtp?.close()]);
  await cleanPrefix(prefix);
  await db?.drop();
});

const page = (url: string, key: string, xff: string) =>
  fetch(`${url}/interview?session_key=${key}`, { headers: { 'x-forwarded-for': xff } }).then((r) => r.status);

describe('client addresses behind a proxy (TRUST_PROXY)', () => {
  it('rotating X-Forwarded-For is limited, by default and with one trusted hop; a valid key still works', async () => {
    const live = await createInterview(db, ['Tell me about a hard bug.']);
    const [plain, proxied] = await Promise.all([
      startApp(['portal'], env),
      startApp(['portal'], { ...env, prefix: `${prefix}p`, extra: { TRUST_PROXY: '1' } }),
    ]);
    procs.push(plain, proxied);
    // Default: the header is not believed; every request comes from 127.0.0.1.
    const plainStatuses: number[] = [];
    for (let i = 0; i < 30; i++)
      plainStatuses.push(await page(plain.url, generateSessionKey(), `198.51.100.${i}`));
    expect(plainStatuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(plainStatuses.slice(10)).toEqual(Array(20).fill(429));
    expect(await page(plain.url, live.key, '198.51.100.99')).toBe(200);

    // One trusted hop (the proxy appends the client's address): only the last entry counts,
    // whatever the client wrote before it.
    const proxiedStatuses: number[] = [];
    for (let i = 0; i < 30; i++)
      proxiedStatuses.push(await page(proxied.url, generateSessionKey(), `10.9.${i}.1, 203.0.113.7`));
    expect(proxiedStatuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(proxiedStatuses.slice(10)).toEqual(Array(20).fill(429));
    // The candidate behind that address gets in; another client is not limited by it.
    expect(await page(proxied.url, live.key, '203.0.113.7')).toBe(200);
    expect(await page(proxied.url, generateSessionKey(), '203.0.113.8')).toBe(404);
    record('trust-proxy', {
      promise: 'rotating X-Forwarded-For is limited; a valid key works from a limited address',
      wrongKeysSent: 60,
      limitedAfter: 10,
      rotatedHeadersThatEscaped: 0,
      validKeyFromLimitedAddress: 200,
    });
  }, 240_000);
});

/** Every value stored under the prefix, as text: strings, hashes, lists, sets, sorted sets, streams. */
async function dumpPrefix(p: string): Promise<{ keys: number; text: string }> {
  const keys = await redis.keys(`${p}*`);
  const parts: string[] = [];
  for (const k of keys) {
    const type = await redis.type(k);
    parts.push(k);
    if (type === 'string') parts.push(String(await redis.get(k)));
    else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(k)));
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(k, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(k)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(k, 0, -1)));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(k, '-', '+')));
  }
  return { keys: keys.length, text: parts.join('\n') };
}

describe('personal data in the queue', () => {
  it('a whole loop, then cancel and /interview-delete: the queue holds no name, email or key', async () => {
    const { role, slots } = await seed(db, [
      { startsAt: new Date(Date.now() + 3 * 86_400_000), capacity: 5 },
    ]);
    const [bot, worker] = await Promise.all([startApp(['bot', 'portal'], env), startApp(['worker'], env)]);
    procs.push(bot, worker);
    await waitReady(bot);
    const driver = new SlackDriver(slack.emulator, bot.url);
    const name = 'Zelda Quux-Marlow';
    const email = 'zelda.quux@example.com';
    const r = await driver.schedule({ name, email, roleId: role.id, slotId: slots[0]!.id });
    expect((r.json as { response_action?: string }).response_action).toBe('update');
    const [invite] = await smtp.waitFor(1, 60_000);
    const key = /session_key=([A-Za-z0-9_-]{43})/.exec(invite!.parsed.text ?? '')![1]!;
    const interview = await db.prisma.interview.findFirstOrThrow({ where: { candidate: { email } } });
    await expect
      .poll(
        async () =>
          (await db.prisma.emailDelivery.findFirst({ where: { interviewId: interview.id } }))?.status,
        {
          timeout: 30_000,
        },
      )
      .toBe('sent');
    await expect
      .poll(async () => (await redis.keys(`${prefix}:email:email-${interview.id}-reminder_*`)).length, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(2);
    const afterLoop = await dumpPrefix(prefix);
    const found = (text: string) => ({
      email: text.split(email).length - 1,
      name: text.split(name).length - 1,
      key: text.split(key).length - 1,
    });
    expect(afterLoop.keys).toBeGreaterThan(10);
    expect(found(afterLoop.text)).toEqual({ email: 0, name: 0, key: 0 });

    // Cancel (the button on the scheduling message), then /interview-delete and its dialog.
    const root = slack.emulator.messagesIn(CHANNEL).find((m) => m.text.includes('Zelda'))!;
    const cancel = await driver.send(
      interactionBody(
        blockActionsPayload({
          user: RECRUITER,
          channel: CHANNEL,
          message: { ...root } as MessageRef,
          actions: [actionFromBlocks(root.blocks, 'interview_cancel')],
          triggerId: slack.emulator.issueTriggerId(RECRUITER),
        }),
      ),
    );
    expect(cancel.status).toBe(200);
    await expect
      .poll(
        async () => (await db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } })).status,
        {
          timeout: 20_000,
        },
      )
      .toBe('cancelled');
    await smtp.waitFor(2, 60_000); // the cancellation email
    const before = slack.emulator.callsTo('views.open').length;
    await driver.send(driver.commandBody('/interview-delete', email));
    await expect
      .poll(() => slack.emulator.callsTo('views.open').length, { timeout: 10_000 })
      .toBeGreaterThan(before);
    const dialog = slack.emulator.openModal(RECRUITER)!;
    const deleted = await driver.send(
      interactionBody(
        viewSubmissionPayload({
          user: RECRUITER,
          view: slack.emulator.submitViewState(dialog.id, {}),
          triggerId: slack.emulator.issueTriggerId(RECRUITER),
        }),
      ),
    );
    expect(JSON.stringify(deleted.json)).toContain('Deleted');
    const afterDelete = await dumpPrefix(prefix);
    expect(found(afterDelete.text)).toEqual({ email: 0, name: 0, key: 0 });
    // Their jobs are gone too (ids only, but nothing about them is left behind), and their booking request.
    // (A job's own keys carry its id; the queues' event streams may still name an id, which is no personal data.)
    expect(await redis.keys(`${prefix}*${interview.id}*`)).toEqual([]);
    expect(await db.prisma.bookingRequest.count({ where: { candidateEmail: email } })).toBe(0);
    record('queue-personal-data', {
      promise: 'no name, email or candidate key under the queue prefix, after a loop and after deletion',
      keysScannedAfterLoop: afterLoop.keys,
      keysScannedAfterDelete: afterDelete.keys,
      foundAfterLoop: found(afterLoop.text),
      foundAfterDelete: found(afterDelete.text),
    });
  }, 240_000);
});
