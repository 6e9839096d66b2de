import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { startApp, type TAppProcess } from './support/app.js';
import { createInterview } from './support/portal.js';
import { record } from './support/report.js';
import { sleep } from './support/services.js';
import { startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const WAV = fileURLToPath(new URL('../fixtures/audio/answer.wav', import.meta.url));
const OFFLINE_MS = 20_000;
const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let portal: TAppProcess;
let browser: Browser;

beforeAll(async () => {
  [db, slack] = await Promise.all([createTestDb(), startSlackPeer()]);
  portal = await startApp(['portal'], {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
  });
  if (hasChromium()) browser = await launchBrowser({ fakeAudioFile: WAV });
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop('SIGKILL');
  await slack?.close();
  await cleanPrefix(prefix);
  await db?.drop();
});

describe.skipIf(!hasChromium())('the browser goes offline mid-answer', () => {
  it(`keeps the answer whole (or re-asks) after ${OFFLINE_MS / 1000} s offline, and resumes`, async () => {
    const questions = [
      'Tell me about a system you changed.',
      'How do you ship safely?',
      'What would you change?',
    ];
    const { id, key } = await createInterview(db, questions);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: portal.url });
    const page = await context.newPage();
    await page.goto(`${portal.url}/interview?session_key=${key}`);
    await page.getByRole('button', { name: 'Check camera and microphone' }).click();
    await expect
      .poll(() => page.locator('#camera-status').textContent(), { timeout: 10_000 })
      .toBe('Camera working');
    await page.getByRole('button', { name: 'Play a test sound' }).click();
    await page.getByRole('button', { name: 'I heard it' }).click();
    await page.getByLabel('By typing').check();
    await page.getByLabel(/I understand and agree/).check();
    await page.getByRole('button', { name: 'Start interview' }).click();
    await expect.poll(() => page.locator('#question').textContent(), { timeout: 10_000 }).toBe(questions[0]);

    // Typing the answer, the network goes; the candidate presses Send while offline.
    const text = 'I moved billing onto a queue so a crashed worker never lost an invoice.';
    await page.getByLabel('Your answer').fill(text);
    await context.setOffline(true);
    const wentOffline = Date.now();
    await page.getByRole('button', { name: 'Send answer' }).click();
    await sleep(OFFLINE_MS);
    await context.setOffline(false);
    const back = Date.now();

    // Back online: the interview resumes either at question 2 (the answer was kept) or at
    // question 1 with the answer still in the box (re-asked); never in between.
    await expect
      .poll(
        async () => {
          const q = await page.locator('#question').textContent();
          if (q === questions[1]) return 'kept';
          if (q === questions[0] && (await page.getByLabel('Your answer').inputValue()) === text)
            return 'reask';
          return q;
        },
        { timeout: 30_000 },
      )
      .toMatch(/^(kept|reask)$/);
    let outcome = (await page.locator('#question').textContent()) === questions[1] ? 'kept' : 're-asked';
    if (outcome === 're-asked') {
      await page.getByRole('button', { name: 'Send answer' }).click();
      await expect
        .poll(() => page.locator('#question').textContent(), { timeout: 10_000 })
        .toBe(questions[1]);
    }
    const resumedMs = Date.now() - back;
    const turns = await db.prisma.interviewTurn.findMany({
      where: { interviewId: id },
      orderBy: { seq: 'asc' },
    });
    expect(turns.filter((t) => t.answerText !== null).map((t) => t.answerText)).toEqual([text]);
    expect(turns[0]!.answerMode).toBe('typed');
    expect((await db.prisma.interview.findUniqueOrThrow({ where: { id } })).status).toBe('in_progress');
    outcome = `${outcome} (offline ${Math.round((back - wentOffline) / 1000)} s)`;
    record('browser-offline', {
      offlineSeconds: OFFLINE_MS / 1000,
      outcome,
      halfRecorded: 0,
      resumedAfterOnlineMs: resumedMs,
    });
    await context.close();
  }, 90_000);
});
