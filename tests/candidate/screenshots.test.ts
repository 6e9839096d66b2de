/**
 * What a candidate sees, in headless Chromium at desktop and phone width (issue 14): the invite
 * email with its notice, the request form, the data page and the lobby's notice. Checks a person
 * would make (nothing wider than the screen, readable type, tappable controls) and screenshots
 * under test-results/screenshots (docs/screenshots with UPDATE_SCREENSHOTS=1).
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNotice } from '../../src/domain/candidate-notice.js';
import { generateSessionKey, hashSessionKey } from '../../src/domain/session-key.js';
import { interviewWindow } from '../../src/domain/window.js';
import { renderEmail } from '../../src/services/email/render.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { seed, startStack, type TStack } from '../helpers/stack.js';

const OUT = pathToFileURL(SCREENSHOT_DIR.endsWith('/') ? SCREENSHOT_DIR : `${SCREENSHOT_DIR}/`);
const NOW = new Date('2030-03-01T10:00:00Z');
const start = new Date('2030-03-12T14:30:00Z');
const end = new Date('2030-03-12T15:15:00Z');

const notice = buildNotice({
  company: 'Acme',
  roleTitle: 'Senior Backend Engineer',
  competencies: [
    { name: 'System design', description: 'Designs for failure and scale' },
    { name: 'Communication', description: 'Explains trade-offs clearly' },
  ],
  hasModel: true,
  retentionDays: 180,
  requestUrl: 'https://interviews.acme.example/my-data/request?i=5f0c6a52&exp=1&sig=ab',
  dataUrl: 'https://interviews.acme.example/my-data?i=5f0c6a52&exp=1&sig=ab',
});
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
  now: NOW,
  notice,
});

let browser: Browser | undefined;
let s: TStack;
let key: string;

beforeAll(async () => {
  s = await startStack({ now: NOW });
  const { role, slots } = await seed(s.deps, [{ startsAt: start, durationMinutes: 45 }]);
  const candidate = await s.db.prisma.candidate.create({
    data: { name: 'Ann Lee', email: 'ann.lee@example.com', timeZone: 'America/New_York' },
  });
  key = generateSessionKey();
  const interview = await s.db.prisma.interview.create({
    data: {
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slots[0]!.id,
      scheduledStart: start,
      scheduledEnd: end,
      sessionKeyHash: hashSessionKey(key),
      bookingRequestId: 'screenshot-1',
      recruiterSlackUser: 'U_RECRUITER',
      recruiterEmail: 'rita@acme.example',
      slackChannelId: 'C_RECRUITING',
      status: 'completed',
      startedAt: start,
      endedAt: end,
    },
  });
  await s.db.prisma.interviewTurn.createMany({
    data: [
      {
        interviewId: interview.id,
        seq: 0,
        planIndex: 0,
        question: 'Tell me about a system you designed to survive failures.',
        answerText: 'Our billing queue retried with backoff.',
      },
      {
        interviewId: interview.id,
        seq: 1,
        planIndex: 1,
        question: 'How do you explain a trade-off to someone outside engineering?',
        answerText: 'I compare the options by what each costs.',
      },
    ],
  });
  await s.db.prisma.candidateRequest.create({
    data: {
      interviewId: interview.id,
      kind: 'correction',
      status: 'done',
      turnSeq: 0,
      text: 'I said "Kafka", not "Cafe".',
      createdAt: NOW,
    },
  });
  if (hasChromium()) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function measure(page: Page) {
  return page.evaluate(() => {
    const small = [...document.querySelectorAll('p, li, label, legend')]
      .map((el) => Number.parseFloat(getComputedStyle(el).fontSize))
      .filter((px) => px < 14);
    const controls = [...document.querySelectorAll('button, a.link-button, input[type=radio]')].map((el) => {
      const label = el.closest('label') ?? el;
      return label.getBoundingClientRect().height;
    });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      tooSmallText: small.length,
      smallestControl: Math.min(...controls),
      text: document.body.textContent ?? '',
    };
  });
}

describe.skipIf(!hasChromium())('what the candidate sees', () => {
  for (const [name, width] of [
    ['desktop', 1280],
    ['phone', 390],
  ] as const) {
    it(`the invite's notice at ${name} width`, async () => {
      const page = await browser!.newPage({ viewport: { width, height: 800 } });
      await page.setContent(email.html, { waitUntil: 'load' });
      const m = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        text: document.body.textContent ?? '',
      }));
      expect(m.scrollWidth).toBeLessThanOrEqual(width);
      expect(m.text).toContain('About this AI interview');
      expect(m.text).toContain('No emotion, tone-of-voice or facial analysis.');
      expect(m.text).toContain('Ask for an alternative or an accommodation');
      await page.screenshot({
        path: new URL(`candidate-notice-email-${name}.png`, OUT).pathname,
        fullPage: true,
      });
      await page.close();
    });

    it(`the request form at ${name} width`, async () => {
      s.setNow(NOW);
      // The form is for an upcoming interview: show it for a second, scheduled one.
      const interview = await s.db.prisma.interview.findFirstOrThrow();
      await s.db.prisma.interview.update({ where: { id: interview.id }, data: { status: 'scheduled' } });
      try {
        const page = await browser!.newPage({ viewport: { width, height: 800 } });
        await page.goto(`${s.url}/my-data/request?session_key=${key}`);
        const m = await measure(page);
        expect(m.scrollWidth).toBeLessThanOrEqual(width);
        expect(m.tooSmallText).toBe(0);
        expect(m.smallestControl).toBeGreaterThanOrEqual(40);
        expect(m.text).toContain('What do you need?');
        await page.screenshot({
          path: new URL(`candidate-request-form-${name}.png`, OUT).pathname,
          fullPage: true,
        });
        await page.close();
      } finally {
        await s.db.prisma.interview.update({ where: { id: interview.id }, data: { status: 'completed' } });
      }
    });

    it(`the lobby's notice at ${name} width`, async () => {
      const interview = await s.db.prisma.interview.findFirstOrThrow();
      await s.db.prisma.interview.update({
        where: { id: interview.id },
        data: { status: 'scheduled', startedAt: null, endedAt: null },
      });
      s.setNow(new Date(start.getTime() - 10 * 60_000));
      try {
        const page = await browser!.newPage({ viewport: { width, height: 900 } });
        await page.goto(`${s.url}/interview?session_key=${key}`);
        const notice = page.locator('.ai-notice');
        await notice.waitFor();
        const m = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          text: document.querySelector('.ai-notice')?.textContent ?? '',
        }));
        expect(m.scrollWidth).toBeLessThanOrEqual(width);
        expect(m.text).toContain('No emotion, tone-of-voice or facial analysis.');
        expect(m.text).toContain('Ask for an alternative or an accommodation');
        await notice.screenshot({ path: new URL(`candidate-lobby-notice-${name}.png`, OUT).pathname });
        await page.close();
      } finally {
        s.setNow(NOW);
        await s.db.prisma.interview.update({ where: { id: interview.id }, data: { status: 'completed' } });
      }
    });

    it(`the data page at ${name} width`, async () => {
      const page = await browser!.newPage({ viewport: { width, height: 800 } });
      await page.goto(`${s.url}/my-data?session_key=${key}`);
      const m = await measure(page);
      expect(m.scrollWidth).toBeLessThanOrEqual(width);
      expect(m.smallestControl).toBeGreaterThanOrEqual(40);
      expect(m.text).toContain('Your interview data');
      expect(m.text).toContain('I said "Kafka", not "Cafe".');
      await page.screenshot({
        path: new URL(`candidate-data-page-${name}.png`, OUT).pathname,
        fullPage: true,
      });
      await page.close();
    });
  }
});
