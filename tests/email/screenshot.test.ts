/**
 * The rendered HTML invite in headless Chromium at desktop and phone width: screenshots under
 * docs/screenshots/, and checks a person would make (nothing wider than the screen, the button
 * readable and tappable).
 */
import { mkdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interviewWindow } from '../../src/domain/window.js';
import { renderEmail } from '../../src/services/email/render.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';

const OUT = pathToFileURL(SCREENSHOT_DIR.endsWith('/') ? SCREENSHOT_DIR : `${SCREENSHOT_DIR}/`);

const start = new Date('2030-03-12T14:30:00Z');
const end = new Date('2030-03-12T15:15:00Z');
const email = renderEmail({
  kind: 'invite',
  interviewId: '5f0c6a52-1d1e-4c43-9a57-0f0b3c7c2a11',
  revision: 1,
  candidate: { name: 'Ann Lee', email: 'ann.lee@example.com', timeZone: 'America/New_York' },
  roleTitle: 'Senior Backend Engineer',
  companyName: 'Acme',
  start,
  end,
  link: 'https://interviews.acme.example/interview?session_key=Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg',
  window: interviewWindow(start, end, { lobbyOpensMinutes: 15, joinEarlyMinutes: 5, graceMinutes: 10 }),
  recruiterEmail: 'rita@acme.example',
  from: 'Acme Interviews <interviews@acme.example>',
  now: new Date('2030-03-01T10:00:00Z'),
});

let browser: Browser | undefined;

beforeAll(async () => {
  if (!hasChromium()) return;
  browser = await launchBrowser();
  await mkdir(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!hasChromium())('the HTML invite in a browser', () => {
  for (const [name, width] of [
    ['desktop', 1024],
    ['phone', 375],
  ] as const) {
    it(`fits and reads well at ${name} width (${width}px)`, async () => {
      const page = await browser!.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
      await page.setContent(email.html, { waitUntil: 'load' });
      const m = await page.evaluate(() => {
        const a = [...document.querySelectorAll('a')].find((x) => x.textContent === 'Open your interview')!;
        const r = a.getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          button: { width: r.width, height: r.height },
          bodyFont: Number.parseFloat(getComputedStyle(document.querySelector('p')!).fontSize),
          text: document.body.textContent ?? '',
        };
      });
      expect(m.scrollWidth).toBeLessThanOrEqual(width);
      expect(m.button.height).toBeGreaterThanOrEqual(44); // a comfortable tap target
      expect(m.bodyFont).toBeGreaterThanOrEqual(16);
      expect(m.text).toContain('Tuesday 12 March 2030, 10:30–11:15 EDT (UTC-04:00)');
      await page.screenshot({ path: new URL(`email-invite-${name}.png`, OUT).pathname, fullPage: true });
      await page.close();
    });
  }
});
