/**
 * Live voice answers in headless Chromium, end to end: real speech (espeak-ng)
 * on the fake microphone, streamed by the room to the real portal over the
 * interview WebSocket, transcribed by the test model server while the
 * candidate speaks, the answer's end decided by the server. The transcriber
 * names each stretch of speech by its length (tests/helpers/speech-audio.ts),
 * so an answer that lost audio, or was cut in two, is stored differently from
 * the one spoken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { startNode, type TChild } from '../helpers/processes.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { micTrack, phraseTranscriber, type TTrack } from '../helpers/speech-audio.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startPortal, type TPortalHarness } from './harness.js';

const HELLO = { say: 'Hello, can you hear me?' };
const FINISHED = 'I led the migration of our billing service to a queue based design.';
const UNFINISHED = 'I led the migration of our billing service, and then';
const REST = 'we moved every critical path to a queue.';
const MORE = 'It took three months, and nobody noticed the switch.';
const PLAN = [
  { text: 'Tell me about a system you changed for the better.', competency: 'design' },
  { text: 'How do you make sure a change is safe to ship?', competency: null },
];

let h: TPortalHarness;
let base: string;
const transcribed: string[] = [];
let track: TTrack;

beforeAll(async () => {
  h = await startPortal({ openai: {} });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  h.openai?.setChatHandler(() => '{"action":"next"}');
});
afterAll(async () => {
  await h?.close();
});

/** Everything the room said (status line, notes, errors), in order, for "never asked to repeat". */
async function watchRoomTexts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenTexts: string[] }).seenTexts = seen;
    const ids = ['activity', 'room-error', 'room-note', 'stall-text', 'barge-note'];
    new MutationObserver(() => {
      for (const id of ids) {
        const el = document.getElementById(id);
        const text = el && !el.closest('[hidden]') ? (el.textContent ?? '') : '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return () => page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts);
}

async function enterRoom(browser: Browser, url: string, key: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/interview?session_key=${key}`);
  await page.getByRole('button', { name: 'Check camera and microphone' }).click();
  await expect
    .poll(() => page.locator('#mic-status').textContent(), { timeout: 15_000 })
    .toBe('Microphone working: we can hear you');
  await page.getByLabel(/I understand and agree/).check();
  await page.getByRole('button', { name: 'Start interview' }).click();
  await expect.poll(() => page.locator('#question').textContent()).toBe(PLAN[0]?.text);
  expect(errors).toEqual([]);
  return page;
}

async function answers(id: string) {
  const turns = await h.db.prisma.interviewTurn.findMany({ where: { interviewId: id }, orderBy: { seq: 'asc' } });
  return turns.map((t) => t.answerText);
}

describe.skipIf(!hasChromium())('voice answers, streamed', () => {
  it('a 2 s pause in the middle of a sentence does not end the answer: one answer, captions while speaking', async () => {
    track = micTrack([HELLO, { silenceMs: 4000 }, { say: UNFINISHED }, { silenceMs: 2000 }, { say: REST }, { silenceMs: 8000 }]);
    h.openai?.setTranscriptionHandler(phraseTranscriber(track.phrases, transcribed));
    const browser = await launchBrowser({ fakeAudioFile: track.micArg });
    try {
      const { id, key } = await h.createInterview({ start: new Date(Date.now() - 60_000), plan: PLAN, questionCount: 2 });
      const page = await enterRoom(browser, base, key);
      // The candidate sees their own words while still answering.
      await expect.poll(() => page.locator('#live-caption').textContent(), { timeout: 20_000 }).toContain(UNFINISHED);
      await expect.poll(() => page.locator('#question').textContent(), { timeout: 30_000 }).toBe(PLAN[1]?.text);
      expect(await answers(id)).toEqual([`${UNFINISHED} ${REST}`, null]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

void mkdtempSync;
void rmSync;
void createServer;
void tmpdir;
void path;
void startNode;
void TEST_REDIS_URL;
void startTcpProxy;
void ({} as TChild);
