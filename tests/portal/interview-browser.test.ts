/**
 * The candidate's whole visit in headless Chromium, against the real portal and
 * the local OpenAI-compatible server: a fake camera, and a microphone that
 * plays a WAV of real speech.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { evaluationJobs, startPortal, type TPortalHarness } from './harness.js';

const WAV = fileURLToPath(new URL('../fixtures/audio/answer.wav', import.meta.url));
const SCREENSHOTS = SCREENSHOT_DIR;
const SPOKEN = 'I led the migration of our billing service to a queue based design.';

let h: TPortalHarness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await startPortal({ openai: { transcriptionHandler: (r) => (r.audio.length > 1000 ? SPOKEN : '') } });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser({ fakeAudioFile: WAV });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function passLobby(page: Page, mode: 'voice' | 'typed') {
  await page.getByRole('button', { name: 'Check camera and microphone' }).click();
  await expect
    .poll(() => page.locator('#camera-status').textContent(), { timeout: 10_000 })
    .toBe('Camera working');
  await expect
    .poll(() => page.locator('#mic-status').textContent(), { timeout: 15_000 })
    .toBe('Microphone working: we can hear you');
  await page.getByRole('button', { name: 'Play a test sound' }).click();
  await page.getByRole('button', { name: 'I heard it' }).click();
  expect(await page.locator('#speaker-status').textContent()).toBe('Speakers working');
  if (mode === 'typed') await page.getByLabel('By typing').check();
  expect(await page.getByRole('button', { name: 'Start interview' }).isDisabled()).toBe(true);
  await page.getByLabel(/I understand and agree/).check();
}

describe.skipIf(!hasChromium())('candidate in the browser', () => {
  it('lobby → check → consent → voice answer → follow-up → reload resumes → typed answer → finish', async () => {
    h.openai?.setChatHandler((req) => {
      const text = JSON.stringify(req.messages);
      return text.includes('billing service') && !text.includes('your own part')
        ? '{"action":"follow_up","question":"What was your own part in that migration?"}'
        : '{"action":"next"}';
    });
    const plan = [
      { text: 'Tell me about a system you changed for the better.', competency: 'design' },
      { text: 'How do you make sure a change is safe to ship?', competency: null },
    ];
    const { id, key } = await h.createInterview({
      start: new Date(Date.now() - 60_000),
      plan,
      questionCount: 2,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: base });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on(
      'response',
      (r) => r.status() >= 400 && errors.push(`${r.status()} ${new URL(r.url()).pathname}`),
    );
    await page.goto(`${base}/interview?session_key=${key}`);
    await passLobby(page, 'voice');
    await page.screenshot({ path: `${SCREENSHOTS}portal-lobby-desktop.png`, fullPage: true });
    await page.getByRole('button', { name: 'Start interview' }).click();

    // Question 1, spoken and shown; the answer comes from the microphone.
    await expect.poll(() => page.locator('#question').textContent(), { timeout: 15_000 }).toBe(plan[0]?.text);
    expect(await page.locator('#progress').textContent()).toBe('Question 1 of 2');
    expect(await page.locator('#caption').textContent()).toMatch(/^Hello Ada, thank you for joining/);
    await expect
      .poll(() => page.locator('#activity').textContent(), { timeout: 10_000 })
      .toMatch(/Listening/);
    await page.locator('#thinking').selectOption('1200');
    await page.screenshot({ path: `${SCREENSHOTS}portal-room-desktop.png`, fullPage: true });

    // The transcript of the spoken answer appears, then the follow-up.
    await expect
      .poll(() => page.locator('#question').textContent(), { timeout: 30_000 })
      .toBe('What was your own part in that migration?');
    expect(await page.locator('#transcript').textContent()).toContain(SPOKEN);
    expect(await page.locator('#progress').textContent()).toBe('Question 1 of 2 (follow-up)');
    const upload = h.openai?.calls.find((c) => c.path === '/v1/audio/transcriptions');
    expect((upload?.body as { file?: { size: number } } | undefined)?.file?.size).toBeGreaterThan(1000);

    // Reload mid-interview: same question, transcript kept, no second greeting.
    await page.reload();
    await expect
      .poll(() => page.locator('#question').textContent(), { timeout: 10_000 })
      .toBe('What was your own part in that migration?');
    expect(await page.locator('#transcript').textContent()).toContain(SPOKEN);
    expect(await page.locator('#caption').textContent()).not.toContain('Hello Ada');

    // Answer the follow-up by typing.
    await page.getByRole('button', { name: 'Type instead' }).click();
    await page.getByLabel('Your answer').fill('I designed the retry policy and wrote the runbook.');
    await page.getByRole('button', { name: 'Send answer' }).click();
    await expect.poll(() => page.locator('#question').textContent(), { timeout: 10_000 }).toBe(plan[1]?.text);
    expect(await page.locator('#progress').textContent()).toBe('Question 2 of 2');

    // End with confirmation, keyboard only.
    await page.getByRole('button', { name: 'End interview' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    await page.getByRole('dialog').getByRole('button', { name: 'End interview' }).click();
    await expect.poll(() => page.locator('#done-h').isVisible(), { timeout: 10_000 }).toBe(true);

    const row = await h.db.prisma.interview.findUniqueOrThrow({
      where: { id },
      include: { turns: { orderBy: { seq: 'asc' } } },
    });
    expect(row.status).toBe('completed');
    expect(row.turns.map((t) => [t.answerMode, t.answerText])).toEqual([
      ['voice', SPOKEN],
      ['typed', 'I designed the retry policy and wrote the runbook.'],
      [null, null],
    ]);
    expect(row.turns[0]?.audioDurationMs).toBeGreaterThan(1000);
    expect(row.turns[0]?.responseLatencyMs).toBeGreaterThan(0);
    expect(await evaluationJobs(h, id)).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('phone-sized lobby and room (typed answers)', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() - 60_000), questionCount: 3 });
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await context.grantPermissions(['camera', 'microphone'], { origin: base });
    const page = await context.newPage();
    await page.goto(`${base}/interview?session_key=${key}`);
    await passLobby(page, 'typed');
    await page.screenshot({ path: `${SCREENSHOTS}portal-lobby-phone.png`, fullPage: true });
    await page.getByRole('button', { name: 'Start interview' }).click();
    await expect
      .poll(() => page.locator('#question').textContent(), { timeout: 10_000 })
      .toMatch(/^To start/);
    await page.getByLabel('Your answer').fill('I enjoy building calm, reliable systems.');
    await page.getByRole('button', { name: 'Send answer' }).click();
    await expect
      .poll(() => page.locator('#progress').textContent(), { timeout: 10_000 })
      .toBe('Question 2 of 3');
    await page.screenshot({ path: `${SCREENSHOTS}portal-room-phone.png`, fullPage: true });
    await context.close();
  }, 60_000);
});
