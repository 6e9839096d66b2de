/**
 * Renders, with headless Chromium, what the hiring team and the admins see of the decision and
 * the audit (into test-results/screenshots, or docs/screenshots with UPDATE_SCREENSHOTS=1):
 * - decision-slack-thread.png: the scheduling message, the evaluation post, the decision note
 *   ("Advanced by …" with its reason and Undo), and a re-evaluation that shows the standing
 *   decision; the root names both;
 * - decision-declined-thread.png: a decline on a post whose model answered outside the rubric;
 * - impact-report-slack.png: `/interview-report` as the admin sees it;
 * - audit-page.png: the signed audit record page.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImpactReportMessage } from '../../src/block-kit/report-messages.js';
import { buildRubric, readCompetencies, rubricVersion } from '../../src/domain/evaluation/rubric.js';
import { auditUrl } from '../../src/domain/transcript-link.js';
import { decisionCall, PLAN_PROMPT_VERSION } from '../../src/infra/ai/interviewer.js';
import { buildPortal } from '../../src/portal/app.js';
import { recordDecision } from '../../src/services/evaluation/decision.js';
import { requestReevaluation } from '../../src/services/evaluation/thread-actions.js';
import { recordEvent } from '../../src/services/events.js';
import { buildImpactReport, parseReportRange } from '../../src/services/reports/impact-report.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';
import { renderThreadPage } from '../helpers/thread-page.js';
import {
  GOOD_TURNS,
  RECRUITER,
  scriptedModel,
  seedDecidedInterviews,
  seedInterview,
  startHarness,
  type THarness,
} from './harness.js';

let h: THarness;
let browser: Browser;

const users = { [RECRUITER]: 'Rita (Recruiting)', U_HIRING: 'Hank (Hiring manager)', U_ADMIN: 'Ada (Admin)' };

beforeAll(async () => {
  h = await startHarness();
  if (hasChromium()) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

function toRendered(m: SlackMessage) {
  return {
    author: m.bot_id ? 'Panelist' : (users[m.user as keyof typeof users] ?? m.user ?? 'Panelist'),
    isApp: Boolean(m.bot_id) || m.user === undefined,
    ts: m.ts,
    text: m.text,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    isEdited: Boolean(m.edited),
  };
}

/** `file` at desktop width (1280 px), and `…-phone.png` at phone width (390 px); neither scrolls sideways. */
async function shoot(html: string, file: string): Promise<void> {
  for (const [width, name] of [
    [1280, file],
    [390, file.replace(/\.png$/, '-phone.png')],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height: 300 }, deviceScaleFactor: 1 });
    await page.setContent(html, { waitUntil: 'load' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}`, fullPage: true });
    await page.close();
  }
}

function threadPage(interview: { slackThreadTs: string | null }): string {
  const [root, ...replies] = h.thread(interview);
  return renderThreadPage({
    title: '#recruiting › Thread',
    root: toRendered(root!),
    replies: replies.map(toRendered),
    options: { timeZone: 'America/New_York', users, channels: { C_RECRUITING: 'recruiting' } },
  });
}

const deps = () => ({ ...h.deps, logger: h.deps.logger });

describe.skipIf(!hasChromium())('screenshots of the decision, the report and the audit page', () => {
  it('the thread with a decision and a later re-evaluation', async () => {
    h.openai.setChatHandler(
      scriptedModel({ scores: { system_design: 4, communication: 3 }, recommendation: 'hire' }),
    );
    const interview = await seedInterview(h, { candidateName: 'Ada Lovelace', turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    await recordDecision(deps(), {
      interviewId: interview.id,
      userId: 'U_HIRING',
      action: 'advance',
      reason: 'Clear, concrete design answer; invite to the system-design round.',
      evaluationVersion: 1,
    });
    h.openai.setChatHandler(
      scriptedModel({ scores: { system_design: 3, communication: 2 }, recommendation: 'no_hire' }),
    );
    await requestReevaluation(h.deps, { interviewId: interview.id, userId: RECRUITER });
    await h.runHandler({
      interviewId: interview.id,
      version: 2,
      reason: 'reevaluate',
      requestedBy: RECRUITER,
    });
    const html = threadPage(interview);
    expect(html).toContain('Advanced by');
    expect(html).toContain('Decision standing');
    await shoot(html, 'decision-slack-thread.png');
  }, 60_000);

  it('a decline on a post whose model answered outside the rubric', async () => {
    h.openai.setChatHandler(() =>
      JSON.stringify({
        competencies: [
          { key: 'leadership', score: 4, rationale: 'Led the team.', evidence: [] },
          {
            key: 'communication',
            score: 7,
            rationale: 'Superb.',
            evidence: ['I start from what they care about'],
          },
        ],
        strengths: ['Confident.'],
        concerns: [],
        recommendation: 'strong_hire',
        confidence: 'high',
        summary: 'An outstanding candidate.',
        injection_attempts: [],
      }),
    );
    const interview = await seedInterview(h, { candidateName: 'Grace Hopper', turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    await recordDecision(deps(), {
      interviewId: interview.id,
      userId: RECRUITER,
      action: 'decline',
      evaluationVersion: 1,
    });
    await shoot(threadPage(interview), 'decision-declined-thread.png');
  }, 60_000);

  it('the impact report in Slack', async () => {
    const start = new Date('2032-02-03T15:00:00Z');
    await seedDecidedInterviews(h, start, [
      { n: 50, sex: 'male', race: 'white', advanced: 30, aiHire: 25 },
      { n: 40, sex: 'female', race: 'black_or_african_american', advanced: 12, aiHire: 20 },
      { n: 3, sex: 'female', race: 'asian', advanced: 3, aiHire: 3 },
      { n: 4, sex: 'declined', race: 'declined', advanced: 1, aiHire: 1 },
    ]);
    const report = await buildImpactReport(h.deps, parseReportRange('2032-02-03', '2032-02-03', new Date()));
    const message = buildImpactReportMessage(report);
    const html = renderThreadPage({
      title: '#recruiting (only visible to you)',
      root: {
        author: 'Panelist',
        isApp: true,
        ts: String(start.getTime() / 1000),
        text: message.text,
        blocks: message.blocks,
      },
      replies: [],
      options: { timeZone: 'America/New_York', users },
    });
    expect(html).toContain('under 4/5');
    await shoot(html, 'impact-report-slack.png');
  }, 60_000);

  it('the audit record page', async () => {
    h.openai.setChatHandler(scriptedModel({ recommendation: 'hire' }));
    const interview = await seedInterview(h, {
      candidateName: 'Katherine Johnson',
      turns: [
        ...GOOD_TURNS,
        {
          q: 'What would you change about that billing design today?',
          a: 'I would add end-to-end tracing across the relay and consumers, because debugging a stuck invoice meant reading three services’ logs by hand.',
          competency: 'system_design',
          followUp: true,
        },
      ],
      integrity: ['integrity.tab_hidden'],
    });
    const { prisma } = h.deps;
    await prisma.interview.update({ where: { id: interview.id }, data: { noticeVersion: '2026-12-03' } });
    await prisma.emailDelivery.create({
      data: {
        interviewId: interview.id,
        kind: 'invite',
        revision: 1,
        status: 'sent',
        sentAt: interview.scheduledStart,
      },
    });
    // The interviewer's own calls, as the plan and the turn decision record them.
    const ai = h.deps.ai!;
    const rubric = rubricVersion(
      buildRubric(
        readCompetencies(
          (await prisma.role.findUniqueOrThrow({ where: { id: interview.roleId } })).competencies,
        ),
      ),
    );
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'interview.plan_prepared',
      data: {
        source: 'model',
        questions: 2,
        modelCall: {
          purpose: 'question_plan',
          model: ai.chatModel,
          promptVersion: PLAN_PROMPT_VERSION,
          rubricVersion: rubric,
          outcome: 'ok',
        },
      },
    });
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'interview.started',
      actor: 'candidate',
      data: {
        consentVersion: 1,
        mode: 'voice',
        models: { chat: ai.chatModel, speechToText: 'whisper-1', textToSpeech: 'tts-1' },
      },
    });
    await prisma.interviewTurn.updateMany({
      where: { interviewId: interview.id, seq: { in: [0, 1] } },
      data: { source: 'planned' },
    });
    await prisma.interviewTurn.update({
      where: { interviewId_seq: { interviewId: interview.id, seq: 1 } },
      data: { decisionCall: { ...decisionCall(ai), outcome: 'next', guesses: 1 } },
    });
    await prisma.interviewTurn.update({
      where: { interviewId_seq: { interviewId: interview.id, seq: 2 } },
      data: { source: 'follow_up', decisionCall: { ...decisionCall(ai), outcome: 'follow_up' } },
    });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    await recordDecision(deps(), {
      interviewId: interview.id,
      userId: 'U_HIRING',
      action: 'advance',
      reason: 'Strong answers.',
      evaluationVersion: 1,
    });
    const portal: FastifyInstance = await buildPortal(h.deps);
    await portal.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = portal.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const url = auditUrl(
        base,
        interview.id,
        new Date(Date.now() + 3600_000),
        h.config.transcriptLinks.secret!,
      );
      for (const [width, name] of [
        [1280, 'audit-page.png'],
        [390, 'audit-page-phone.png'],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const res = await page.goto(url);
        expect(res?.status()).toBe(200);
        expect(await page.locator('h1').textContent()).toBe('Audit record');
        expect(await page.locator('body').textContent()).toContain('follow-up decision');
        // Wide tables scroll in their box; the page itself never scrolls sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}`, fullPage: true });
        await page.close();
      }
    } finally {
      await portal.close();
    }
  }, 60_000);
});
