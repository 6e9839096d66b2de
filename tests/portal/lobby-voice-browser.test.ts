/**
 * A model for chat but no speech-to-text (Ollama-style): the lobby says that spoken
 * answers need a speech-to-text service and offers typing, never blaming the
 * microphone; the questions are still read aloud, by the browser's own speech
 * when no text-to-speech is configured either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { startPortal, type TPortalHarness } from './harness.js';

let h: TPortalHarness;
let base: string;

beforeAll(async () => {
  h = await startPortal({ env: { OPENAI_STT_BASE_URL: 'none', OPENAI_TTS_BASE_URL: 'none' } });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => h?.close());

describe.skipIf(!hasChromium())('no speech-to-text configured', () => {
  it('the lobby says voice needs a speech-to-text service, offers typing, and the browser reads the questions', async () => {
    const browser = await launchBrowser();
    try {
      const { key } = await h.createInterview({ start: new Date(Date.now() - 60_000), questionCount: 2 });
      for (const [name, viewport] of [
        // Phone first: it only looks at the lobby. The desktop pass starts the interview, and a
        // page opened after that goes straight back into the room.
        ['phone', { width: 390, height: 844 }],
        ['desktop', { width: 1280, height: 900 }],
      ] as const) {
        const context = await browser.newContext({ viewport });
        await context.grantPermissions(['camera', 'microphone'], { origin: base });
        const page = await context.newPage();
        await page.goto(`${base}/interview?session_key=${key}`);
        await expect.poll(() => page.locator('#mode-note').isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await page.locator('#mode-note').textContent()).toMatch(/need a speech-to-text service/);
        expect(await page.getByLabel('By speaking').isDisabled()).toBe(true);
        expect(await page.getByLabel('By typing').isChecked()).toBe(true);
        await page.getByRole('button', { name: 'Check camera and microphone' }).click();
        await expect
          .poll(() => page.locator('#camera-status').textContent(), { timeout: 10_000 })
          .toBe('Camera working');
        await page.screenshot({ path: `${SCREENSHOT_DIR}portal-lobby-no-stt-${name}.png`, fullPage: true });
        if (name === 'phone') {
          await context.close();
          continue;
        }
        await page.getByLabel(/I understand and agree/).check();
        await page.getByRole('button', { name: 'Start interview' }).click();
        await expect
          .poll(() => page.locator('#question').textContent(), { timeout: 10_000 })
          .toMatch(/^To start/);
        // No server speech: the browser reads the question, and says so.
        await expect.poll(() => page.locator('#speech-note').isVisible(), { timeout: 10_000 }).toBe(true);
        await page.getByRole('button', { name: 'Speak instead' }).click();
        const error = await page.locator('#room-error').textContent();
        expect(error).toMatch(/speech-to-text/);
        expect(error).not.toMatch(/microphone/i);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  }, 90_000);
});
