/**
 * Fault 4: the mail server is unreachable for a minute, then back.
 * Promise: each invite is delivered exactly once; nothing is lost, nothing doubled.
 * The worker (`main.ts worker`) reaches SMTP through a TCP address the test takes down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppProcess } from './support/app.js';
import { record } from './support/report.js';
import { FAULT_SCALE, sleep } from './support/services.js';
import { SlackDriver } from './support/slack-driver.js';
import { startSlackPeer, type TSlackPeer } from './support/slack-peer.js';
import { startTcpProxy, type TTcpProxy } from './support/tcp-proxy.js';

const OUTAGE_MS = Math.round(60_000 * FAULT_SCALE);
const N = 10;
const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let smtp: SmtpTestServer;
let proxy: TTcpProxy;
const procs: TAppProcess[] = [];

beforeAll(async () => {
  [db, slack, smtp] = await Promise.all([createTestDb(), startSlackPeer(), startSmtpServer()]);
  proxy = await startTcpProxy({ host: '127.0.0.1', port: smtp.port });
  const env = {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
    smtpUrl: proxy.url('smtp'),
  };
  procs.push(...(await Promise.all([startApp(['bot', 'portal'], env), startApp(['worker'], env)])));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await proxy.close();
  await Promise.all([slack.close(), smtp.close()]);
  await cleanPrefix(prefix);
  await db.drop();
});

describe('SMTP outage', () => {
  it(`delivers each invite once after a ${OUTAGE_MS / 1000} s mail server outage`, async () => {
    const { role, slots } = await seed(db, [
      { startsAt: new Date(Date.now() + 5 * 86_400_000), capacity: 50 },
    ]);
    const driver = new SlackDriver(slack.emulator, procs[0]!.url);
    await proxy.down();
    const down = Date.now();
    for (let i = 0; i < N; i++) {
      const r = await driver.schedule({
        name: `Mail ${i}`,
        email: `mail${i}@example.com`,
        roleId: role.id,
        slotId: slots[0]!.id,
      });
      expect(r.json).toMatchObject({ response_action: 'update' });
    }
    await expect.poll(() => db.prisma.interview.count(), { timeout: 20_000 }).toBe(N);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    expect(smtp.messages).toHaveLength(0);
    await proxy.up();
    const up = Date.now();
    await smtp.waitFor(N, 90_000);
    const recoveryMs = Date.now() - up;
    await sleep(3000); // a duplicate would arrive now
    const to = smtp.messages.map((m) => m.envelope.rcptTo.join(',')).sort();
    expect(to).toEqual(Array.from({ length: N }, (_, i) => `mail${i}@example.com`).sort());
    const sent = await db.prisma.emailDelivery.findMany({ where: { kind: 'invite' } });
    expect(sent.map((d) => d.status)).toEqual(Array(N).fill('sent'));
    record('smtp-outage', {
      outageSeconds: OUTAGE_MS / 1000,
      invites: N,
      delivered: smtp.messages.length,
      lost: N - new Set(to).size,
      duplicates: to.length - new Set(to).size,
      allDeliveredAfterRestoreMs: recoveryMs,
    });
  });
});
