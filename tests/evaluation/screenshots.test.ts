/**
 * Renders what the hiring team sees, with headless Chromium, into docs/screenshots: the Slack
 * thread (scheduling message, evaluation post, a human-review note) drawn from the blocks the
 * emulator received, the failure and no-show notes, and the transcript page served by the
 * portal (the mrkdwn rules are tested in tests/ops/stand-in-render.test.ts).
 */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../src/portal/app.js';
import { requestHumanReview } from '../../src/services/evaluation/thread-actions.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { renderThreadPage } from '../helpers/thread-page.js';
import {
  GOOD_TURNS,
  RECRUITER,
  scriptedModel,
  seedInterview,
  startHarness,
  type THarness,
} from './harness.js';

const OUT = SCREENSHOT_DIR;
let h: THarness;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  h = await startHarness();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const users = { [RECRUITER]: 'Rita (Recruiting)', U_HIRING: 'Hank (Hiring manager)' };

function toRendered(m: SlackMessage) {
  return {
    author: m.bot_id ? 'Panelist' : (users[m.user as keyof typeof users] ?? m.user),
    isApp: Boolean(m.bot_id),
    ts: m.ts,
    text: m.text,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    isEdited: Boolean(m.edited),
  };
}

async function shoot(html: string, file: string, width = 900): Promise<void> {
  const page = await browser.newPage({ viewport: { width, height: 300 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: 'load' });
  await page.screenshot({ path: `${OUT}/${file}`, fullPage: true });
  await page.close();
}

function threadPage(interview: { slackThreadTs: string | null }, title: string): string {
  const [root, ...replies] = h.thread(interview);
  return renderThreadPage({
    title,
    root: toRendered(root!),
    replies: replies.map(toRendered),
    options: { timeZone: 'America/New_York', users, channels: { C_RECRUITING: 'recruiting' } },
  });
}

describe('screenshots', () => {
  it('the evaluation thread, the failure and no-show notes, and the transcript page', async () => {
    h.openai.setChatHandler(
      scriptedModel({ scores: { system_design: 4, communication: 3 }, recommendation: 'hire' }),
    );
    const interview = await seedInterview(h, {
      candidateName: 'Ada Lovelace',
      turns: [
        ...GOOD_TURNS,
        {
          q: 'What would you change about that billing design today?',
          a: 'I would add end-to-end tracing across the relay and consumers, because debugging a stuck invoice meant reading three services’ logs by hand.',
          competency: 'system_design',
          followUp: true,
        },
      ],
      integrity: ['integrity.tab_hidden', 'integrity.paste', 'integrity.long_silence'],
    });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    await requestHumanReview(h.deps, { interviewId: interview.id, version: 1, userId: 'U_HIRING' });
    await shoot(threadPage(interview, '#recruiting › Thread'), 'evaluation-slack-thread.png');

    h.openai.setFault({ kind: 'status', status: 503 });
    const failed = await seedInterview(h, { candidateName: 'Grace Hopper', turns: GOOD_TURNS });
    await expect(
      h.runHandler({ interviewId: failed.id, version: 1, reason: 'completed' }, { isFinalAttempt: true }),
    ).rejects.toThrow();
    h.openai.setFault(null);
    await shoot(threadPage(failed, '#recruiting › Thread'), 'evaluation-failed.png');

    const noShow = await seedInterview(h, { candidateName: 'Alan Turing', turns: [], status: 'expired' });
    await h.runHandler({ interviewId: noShow.id, version: 1, reason: 'no_show' });
    await shoot(threadPage(noShow, '#recruiting › Thread'), 'evaluation-no-show.png');

    const portal: FastifyInstance = await buildPortal(h.deps);
    await portal.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = portal.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const post = h.thread(interview)[1]!;
      // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON.
      const link = new URL((post.blocks as any[]).at(-1).elements[0].url);
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const res = await page.goto(`http://127.0.0.1:${port}${link.pathname}${link.search}`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Ada Lovelace');
      // The stylesheet loaded under the CSP (no inline styles allowed).
      expect(
        await page
          .locator('.turn')
          .first()
          .evaluate((el) => getComputedStyle(el).borderRadius),
      ).toBe('8px');
      await page.screenshot({ path: `${OUT}/evaluation-transcript-page.png`, fullPage: true });
      await page.close();
    } finally {
      await portal.close();
    }
  }, 60_000);
});
