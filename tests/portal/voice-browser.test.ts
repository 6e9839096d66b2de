/**
 * Live voice answers in headless Chromium, end to end: real speech (espeak-ng)
 * on the fake microphone, streamed by the room to the real portal over the
 * interview WebSocket, transcribed by the test model server while the
 * candidate speaks, the answer's end decided by the server. The transcriber
 * names each stretch of speech by its length (tests/helpers/speech-audio.ts),
 * so an answer that lost audio on the way, or was cut in two, is stored
 * differently from the one spoken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_VOICED } from '../../src/portal/protocol.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { startNode, type TChild } from '../helpers/processes.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { micTrack, phraseTranscriber, type TTrackPart, wavBytes } from '../helpers/speech-audio.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startPortal, type TPortalHarness } from './harness.js';
import { controlledMic, type TControlledMic } from './voice-mic.js';

/** Short, so the lobby hears it and it is over before the interview starts. */
const HELLO = { say: 'Hello.' };
const FINISHED = 'I led the migration of our billing service to a queue based design.';
const UNFINISHED = 'I led the migration of our billing service, and then';
const REST = 'we moved every critical path to a queue.';
const LONG =
  'I led the migration of our billing service to a queue based design, and it took us three months.';
const PLAN = [
  { text: 'Tell me about a system you changed for the better.', competency: 'design' },
  { text: 'How do you make sure a change is safe to ship?', competency: null },
];

let h: TPortalHarness;
let base: string;

beforeAll(async () => {
  h = await startPortal({ openai: {} });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  h.openai?.setChatHandler(() => '{"action":"next"}');
});
afterAll(async () => {
  await h?.close();
});

/** A browser whose microphone says `parts` once, from the moment the lobby opens it. */
async function withMic<T>(parts: TTrackPart[], fn: (browser: Browser, phrases: string[]) => Promise<T>) {
  const track = micTrack(parts);
  h.openai?.setTranscriptionHandler(phraseTranscriber(track.phrases));
  const browser = await launchBrowser({ fakeAudioFile: track.micArg });
  try {
    return await fn(
      browser,
      track.phrases.map((p) => p.text),
    );
  } finally {
    await browser.close();
  }
}

/** Voiced audio frames the page has sent, over every connection it made. */
const voicedSent = new WeakMap<Page, { count: number }>();
/** The `mime` of every `audio_start` the page sent. */
const audioStarts = new WeakMap<Page, string[]>();

/**
 * Lobby → check → consent → start; returns at the first question. With a controlled
 * microphone (voice-mic.ts), its phrase 0 is what the lobby's check hears.
 */
async function enterRoom(browser: Browser, url: string, key: string, mic?: TControlledMic): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
  await mic?.install(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sent = { count: 0 };
  voicedSent.set(page, sent);
  const starts: string[] = [];
  audioStarts.set(page, starts);
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string') {
        if (f.payload.includes('"audio_start"'))
          starts.push((JSON.parse(f.payload) as { mime: string }).mime);
      } else if (((f.payload[1] ?? 0) & FLAG_VOICED) !== 0) sent.count += 1;
    }),
  );
  await page.goto(`${url}/interview?session_key=${key}`);
  await page.getByRole('button', { name: 'Check camera and microphone' }).click();
  if (mic) await mic.say(page, 0);
  await expect
    .poll(() => page.locator('#mic-status').textContent(), { timeout: 15_000 })
    .toBe('Microphone working: we can hear you');
  await page.getByLabel(/I understand and agree/).check();
  await page.getByRole('button', { name: 'Start interview' }).click();
  await expect.poll(() => page.locator('#question').textContent(), { timeout: 15_000 }).toBe(PLAN[0]?.text);
  expect(errors).toEqual([]);
  return page;
}

/** Waits until the room listens for an answer (the interviewer's question has been spoken). */
async function listening(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('#activity').textContent(), { timeout: 30_000, interval: 50 })
    .toMatch(/^Listening/);
}

/** Every text the room showed (status line, notes, errors), with when (ms), for "what did it say". */
async function recordRoomTexts(page: Page): Promise<() => Promise<Array<{ at: number; text: string }>>> {
  await page.evaluate(() => {
    const seen: Array<{ at: number; text: string }> = [];
    (window as unknown as { seenTexts: typeof seen }).seenTexts = seen;
    const ids = ['activity', 'room-error', 'room-note', 'stall-text', 'barge-note'];
    const last = new Map<string, string>();
    const look = () => {
      for (const id of ids) {
        const el = document.getElementById(id);
        const text = el && !el.closest('[hidden]') ? (el.textContent ?? '') : '';
        if (text && last.get(id) !== text) seen.push({ at: performance.now(), text });
        last.set(id, text);
      }
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
  return () =>
    page.evaluate(() => (window as unknown as { seenTexts: Array<{ at: number; text: string }> }).seenTexts);
}

/** The room as it is now, at 1280 px and at 390 px (a phone), for docs/screenshots. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-desktop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-phone.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function answers(id: string) {
  const turns = await h.db.prisma.interviewTurn.findMany({
    where: { interviewId: id },
    orderBy: { seq: 'asc' },
  });
  return turns.map((t) => t.answerText);
}

const open = (candidateName?: string) =>
  h.createInterview({
    start: new Date(Date.now() - 60_000),
    plan: PLAN,
    questionCount: 2,
    ...(candidateName ? { candidateName } : {}),
  });

describe.skipIf(!hasChromium())('voice answers, streamed from the browser', () => {
  it('a 2 s pause in the middle of a sentence does not end the answer: one answer, captions while speaking', async () => {
    await withMic(
      [
        HELLO,
        { silenceMs: 7000 },
        { say: UNFINISHED },
        { silenceMs: 2000 },
        { say: REST },
        { silenceMs: 8000 },
      ],
      async (browser) => {
        const { id, key } = await open();
        const page = await enterRoom(browser, base, key);
        // The candidate sees their own words while still answering.
        await expect
          .poll(() => page.locator('#live-caption').textContent(), { timeout: 25_000 })
          .toContain(UNFINISHED);
        await shoot(page, 'portal-room-candidate-speaking');
        await expect
          .poll(() => page.locator('#question').textContent(), { timeout: 30_000 })
          .toBe(PLAN[1]?.text);
        expect(await answers(id)).toEqual([`${UNFINISHED} ${REST}`, null]);
        expect(await page.locator('#transcript').textContent()).toContain(`${UNFINISHED} ${REST}`);
      },
    );
  }, 120_000);

  it('barge-in: speaking over the interviewer stops its audio within 200 ms, and the answer is kept whole', async () => {
    // A long greeting (about 20 s of speech) that the candidate talks over.
    h.openai?.setStreaming({ speechSecondsPerChar: 0.1 });
    try {
      await withMic([HELLO, { silenceMs: 9500 }, { say: FINISHED }, { silenceMs: 8000 }], async (browser) => {
        // A greeting no earlier test had spoken (the server caches speech by its text).
        const { id, key } = await open('Grace Hopper');
        const page = await enterRoom(browser, base, key);
        await expect
          .poll(() => page.locator('#activity').textContent(), { timeout: 10_000 })
          .toBe('The interviewer is speaking…');
        await shoot(page, 'portal-room-interviewer-speaking');
        await expect.poll(() => page.locator('#barge-note').isVisible(), { timeout: 30_000 }).toBe(true);
        expect(await page.locator('#barge-note').textContent()).toMatch(/stopped/);
        const mark = (await page.evaluate(() =>
          performance.getEntriesByName('panelist:barge-in').map((m) => (m as PerformanceMark).detail),
        )) as Array<{ onsetAt: number; stoppedAt: number; playedMs: number }>;
        expect(mark).toHaveLength(1);
        expect(mark[0]!.stoppedAt - mark[0]!.onsetAt).toBeLessThan(200);
        // It was cut short: far less than the greeting's 20 s had played.
        expect(mark[0]!.playedMs).toBeLessThan(18_000);
        await expect
          .poll(() => page.locator('#question').textContent(), { timeout: 30_000 })
          .toBe(PLAN[1]?.text);
        const turns = await h.db.prisma.interviewTurn.findMany({
          where: { interviewId: id },
          orderBy: { seq: 'asc' },
        });
        expect(turns[0]?.answerText).toBe(FINISHED);
        expect(turns[0]?.bargeInPlayedMs).toBeGreaterThan(0);
      });
    } finally {
      h.openai?.setStreaming({ speechSecondsPerChar: 0 });
    }
  }, 120_000);

  it('transcription failing 3 times, then working: the answer is stored whole, shown whole in the room, and nobody asks to repeat it', async () => {
    // Deterministic under load: the candidate speaks once the room listens (not at a fixed time),
    // and the piece is made due for the background retry as soon as it is pending.
    const mic = controlledMic(['Hello.', FINISHED]);
    h.openai?.setTranscriptionHandler(phraseTranscriber(mic.phrases));
    const browser = await launchBrowser();
    try {
      const { id, key } = await open();
      h.openai?.addFault({ kind: 'status', status: 500, times: 3, route: 'transcription' });
      const page = await enterRoom(browser, base, key, mic);
      const texts = await recordRoomTexts(page);
      await listening(page);
      await mic.say(page, 1);
      // The first two attempts fail: the audio is kept as a pending piece and the interview goes on.
      await expect
        .poll(() => page.locator('#question').textContent(), { timeout: 40_000 })
        .toBe(PLAN[1]?.text);
      await expect
        .poll(() => h.db.prisma.answerPiece.count({ where: { interviewId: id, status: 'pending' } }), {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      expect(await page.locator('#room-note').textContent()).toContain('do not need to repeat');
      // Due now: the portal's next sweep (every 15 s) fails a third time, then transcribes it.
      await h.db.prisma.answerPiece.updateMany({
        where: { interviewId: id, status: 'pending' },
        data: { nextAttemptAt: new Date(0) },
      });
      await expect.poll(async () => (await answers(id))[0], { timeout: 40_000 }).toBe(FINISHED);
      // The open room is told at once (answer_text), without a reload.
      await expect
        .poll(() => page.locator('#transcript li.a[data-seq="0"]').textContent(), { timeout: 10_000 })
        .toBe(FINISHED);
      await expect.poll(() => page.locator('#room-note').isVisible()).toBe(false);
      const said = (await texts()).map((t) => t.text);
      expect(said.filter((t) => /please (repeat|answer again|say)|try again|n.t catch/i.test(t))).toEqual([]);
      expect(h.openai?.calls.filter((c) => c.path === '/v1/audio/transcriptions').length).toBeGreaterThan(3);
    } finally {
      await browser.close();
    }
  }, 150_000);

  // Skipped while it fails (issue 12 stays open): since protocol v1 was removed (1e0b116, found by
  // `git bisect` on this test), the answer stored after the hang clears is one 80–120 ms piece
  // ("(unclear 80 ms)") instead of the whole answer. The room's "taking longer" notice still works.
  // This is a lost answer, a real defect: fix it, then change `it.skip` back to `it`.
  it.skip('a hung transcription: the room says so within 10 s, and the answer is transcribed later', async () => {
    await withMic([HELLO, { silenceMs: 7000 }, { say: FINISHED }, { silenceMs: 30_000 }], async (browser) => {
      const { id, key } = await open();
      h.openai?.addFault({ kind: 'hang', route: 'transcription' });
      const page = await enterRoom(browser, base, key);
      const texts = await recordRoomTexts(page);
      // Whatever happens, the room never keeps one waiting status for more than 10 s unexplained.
      await expect
        .poll(
          async () =>
            (await texts()).find((t) => /longer than usual|being turned into text|saved/i.test(t.text)),
          {
            timeout: 35_000,
          },
        )
        .toBeTruthy();
      const seen = await texts();
      const explained = seen.find((t) => /longer than usual|being turned into text|saved/i.test(t.text))!;
      // From the moment the answer ended (the room is then waiting for its text).
      const [ended] = await page.evaluate(() =>
        performance.getEntriesByName('panelist:turn-end').map((m) => m.startTime),
      );
      expect(ended).toBeDefined();
      expect(explained.at - ended!).toBeLessThan(10_000);
      // Once the answer ended, no waiting status stays more than 10 s without a word on what is happening.
      const waiting = seen.filter((t) => t.at >= ended! && t.at <= explained.at);
      for (const [a, b] of waiting.slice(1).map((t, i) => [waiting[i]!, t] as const)) {
        expect(b.at - a.at, `"${a.text}" shown for too long`).toBeLessThan(10_500);
      }
      h.openai?.setFault(null);
      await expect.poll(async () => (await answers(id))[0], { timeout: 45_000 }).toBe(FINISHED);
      const turn = await h.db.prisma.interviewTurn.findFirstOrThrow({ where: { interviewId: id, seq: 0 } });
      expect(turn.transcriptPending).toBe(false);
    });
  }, 150_000);

  it('a browser without AudioWorklet PCM or WebM (Safari-like: MediaRecorder audio/mp4): the answer is recorded as MP4, transcribed whole, captioned once', async () => {
    const mic = controlledMic(['Hello.', UNFINISHED, REST], { recorderOnly: true });
    const browser = await launchBrowser();
    try {
      // The model server hears MP4 the way a real one does: decoded (here by Chromium), then the
      // speech in it named by length, so a recording that lost its start or repeats itself reads wrong.
      const decoder = await browser.newPage();
      const received: Array<{ contentType: string; filename: string; text: string }> = [];
      const byLength = phraseTranscriber(mic.phrases);
      h.openai?.setTranscriptionHandler(async (req) => {
        const pcm = await decoder.evaluate(async (b64) => {
          const ctx = new AudioContext({ sampleRate: 16_000 });
          try {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const audio = await ctx.decodeAudioData(bytes.buffer);
            const data = audio.getChannelData(0);
            const out = new Int16Array(data.length);
            for (let i = 0; i < data.length; i++)
              out[i] = Math.round(Math.max(-1, Math.min(1, data[i] ?? 0)) * 32767);
            const bytesOut = new Uint8Array(out.buffer);
            let bin = '';
            for (let i = 0; i < bytesOut.length; i += 8192)
              bin += String.fromCharCode(...bytesOut.subarray(i, i + 8192));
            return btoa(bin);
          } catch (err) {
            return `error: ${(err as Error).message}`;
          } finally {
            await ctx.close();
          }
        }, req.audio.toString('base64'));
        const text = pcm.startsWith('error:')
          ? `(undecodable: ${pcm})`
          : byLength({
              audio: wavBytes({
                rate: 16_000,
                samples: new Int16Array(new Uint8Array(Buffer.from(pcm, 'base64')).buffer),
              }),
            });
        received.push({ contentType: req.contentType, filename: req.filename, text });
        return text;
      });
      const { id, key } = await open();
      const page = await enterRoom(browser, base, key, mic);
      const starts = audioStarts.get(page) ?? [];
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { captions: string[] }).captions = seen;
        const el = document.getElementById('live-caption');
        if (el)
          new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, {
            childList: true,
            characterData: true,
            subtree: true,
          });
      });
      // The longest pause setting: the wait for the first caption below never ends the answer.
      await page.locator('#thinking').selectOption('10000');
      await listening(page);
      await mic.say(page, 1);
      // The first piece comes back as a caption while the candidate is still answering…
      await expect
        .poll(() => page.locator('#live-caption').textContent(), { timeout: 30_000 })
        .toBe(UNFINISHED);
      await mic.say(page, 2);
      await expect
        .poll(() => page.locator('#question').textContent(), { timeout: 60_000 })
        .toBe(PLAN[1]?.text);
      expect(starts[0]).toMatch(/^audio\/mp4/);
      expect(await answers(id)).toEqual([`${UNFINISHED} ${REST}`, null]);
      // …and each later piece (the whole answer so far) replaces it: never the first words twice.
      const captions = await page.evaluate(() => (window as unknown as { captions: string[] }).captions);
      expect(captions.filter((c) => c.split(UNFINISHED).length > 2)).toEqual([]);
      expect(received.length).toBeGreaterThanOrEqual(2);
      for (const r of received) expect([r.contentType, r.filename]).toEqual(['audio/mp4', 'answer.mp4']);
      expect(received.at(-1)?.text).toBe(`${UNFINISHED} ${REST}`);
      expect(await page.locator('#transcript li.a[data-seq="0"]').textContent()).toBe(
        `${UNFINISHED} ${REST}`,
      );
    } finally {
      await browser.close();
    }
  }, 150_000);

  it('the network drops for 5 s mid-answer and the room reconnects to another portal process: the whole answer is kept and the interview goes on there', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'panelist-voice-'));
    const ports = await Promise.all([freePort(), freePort()]);
    const portals: TChild[] = await Promise.all(
      ports.map((port) =>
        startNode(
          'src/main.ts',
          ['portal'],
          {
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            PORT: String(port),
            DATA_DIR: dataDir,
            DATABASE_URL: h.db.url,
            REDIS_URL: TEST_REDIS_URL,
            QUEUE_PREFIX: h.prefix,
            OPENAI_BASE_URL: h.openai?.baseURL ?? '',
            OPENAI_API_KEY: 'sk-test',
          },
          'Panelist is running',
        ),
      ),
    );
    const proxy = await startTcpProxy(ports);
    try {
      await withMic([HELLO, { silenceMs: 7000 }, { say: LONG }, { silenceMs: 10_000 }], async (browser) => {
        const { id, key } = await open();
        const page = await enterRoom(browser, proxy.url, key);
        // About a second into the answer (10 voiced chunks sent), the line goes dead for 5 s.
        await expect
          .poll(() => voicedSent.get(page)?.count ?? 0, { timeout: 30_000, interval: 50 })
          .toBeGreaterThanOrEqual(10);
        proxy.target(1);
        await proxy.drop(5000);
        await expect
          .poll(() => page.locator('#question').textContent(), { timeout: 40_000 })
          .toBe(PLAN[1]?.text);
        expect(await answers(id)).toEqual([LONG, null]);
        expect(proxy.connections[1]).toBeGreaterThan(0);
      });
    } finally {
      await proxy.close();
      await Promise.all(portals.map((p) => p.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
