/**
 * The audit export and the adverse-impact report, on the real portal with the real Bolt app
 * mounted (signed Slack requests) and the admin exports behind Basic auth:
 * - a whole hiring loop (notice emailed, consent, questions with follow-ups, integrity signals,
 *   evaluation, re-evaluation, decisions) comes out of the JSON-lines export and the signed
 *   audit page with every event of the log;
 * - the impact report on a seeded set computed by hand: 30 of 50 advanced against 12 of 40
 *   gives an impact ratio of 0.5, flagged; a category of 3 is marked too small.
 */
import { App } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerListeners } from '../../src/bot/listeners/index.js';
import { PendingAcks } from '../../src/bot/pending-acks.js';
import { FastifySlackReceiver } from '../../src/bot/receiver.js';
import { auditUrl, transcriptUrl } from '../../src/domain/transcript-link.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { NEXT_PROMPT_VERSION, PLAN_PROMPT_VERSION } from '../../src/infra/ai/interviewer.js';
import { adminExportsPlugin } from '../../src/ops/admin-exports.js';
import { buildPortal } from '../../src/portal/app.js';
import { auditHtml } from '../../src/portal/routes/audit.js';
import { buildInterviewAudit, type TInterviewAudit } from '../../src/services/audit/interview-audit.js';
import { recordDecision } from '../../src/services/evaluation/decision.js';
import { requestReevaluation } from '../../src/services/evaluation/thread-actions.js';
import { recordEvent } from '../../src/services/events.js';
import { startInterview, submitAnswer } from '../../src/services/interview/conduct.js';
import { prepareInterview } from '../../src/services/interview/prepare-interview.js';
import { sendSlackRequest, slashCommandBody } from '../../tools/slack-emulator/signing.js';
import {
  CHANNEL,
  GOOD_TURNS,
  RECRUITER,
  scriptedModel,
  seedDecidedInterviews,
  seedInterview,
  startHarness,
  type THarness,
} from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON read back.
type B = any;
const ADMIN = { user: 'ops', password: 'correct horse battery staple' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const ADMIN_SLACK = 'U_ADMIN';

let h: THarness;
let portal: FastifyInstance;
let base: string;

beforeAll(async () => {
  h = await startHarness({ config: { admin: ADMIN, adminSlackUsers: [ADMIN_SLACK] } });
  h.slack.addUser({ id: ADMIN_SLACK, name: 'ada-admin', tz: 'UTC' });
  const receiver = new FastifySlackReceiver({
    signingSecret: h.config.slack.signingSecret!,
    logger: h.deps.logger,
  });
  const bolt = new App({
    receiver,
    token: 'xoxb-test-token',
    tokenVerificationEnabled: false,
    clientOptions: { slackApiUrl: h.config.slack.apiUrl! },
  });
  registerListeners(bolt, h.deps, new PendingAcks());
  portal = await buildPortal(h.deps, {
    mounts: [{ plugin: receiver.plugin }, { plugin: adminExportsPlugin(h.deps) }],
  });
  await portal.listen({ host: '127.0.0.1', port: 0 });
  const address = portal.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);
afterAll(async () => {
  await portal?.close();
  await h?.close();
});

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the audit export', () => {
  it('of a whole loop contains every event, each model call with its versions, and every decision', async () => {
    h.openai.setChatHandler(scriptedModel({ recommendation: 'hire' }));
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
      integrity: ['integrity.tab_hidden', 'integrity.paste'],
    });
    const { prisma } = h.deps;
    // The notice: the invite carried notice v2026-12; consent was given in the lobby.
    await prisma.interview.update({ where: { id: interview.id }, data: { noticeVersion: '2026-12' } });
    await prisma.emailDelivery.create({
      data: { interviewId: interview.id, kind: 'invite', revision: 1, status: 'sent', sentAt: new Date() },
    });
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'interview.plan_prepared',
      data: { source: 'model', questions: 2 },
    });
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'interview.started',
      actor: 'candidate',
      data: { consentVersion: 3, mode: 'voice' },
    });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const slackDeps = { ...h.deps, logger: h.deps.logger };
    await recordDecision(slackDeps, {
      interviewId: interview.id,
      userId: 'U_HIRING',
      action: 'advance',
      reason: 'Strong design.',
      evaluationVersion: 1,
    });
    await recordDecision(slackDeps, { interviewId: interview.id, userId: 'U_HIRING', action: 'undo' });
    await recordDecision(slackDeps, {
      interviewId: interview.id,
      userId: RECRUITER,
      action: 'decline',
      evaluationVersion: 1,
    });
    await requestReevaluation(h.deps, { interviewId: interview.id, userId: RECRUITER });
    await h.runHandler({
      interviewId: interview.id,
      version: 2,
      reason: 'reevaluate',
      requestedBy: RECRUITER,
    });
    // Another interview outside the range, which the export must leave out.
    await seedInterview(h, { turns: GOOD_TURNS, start: new Date('2020-01-01T10:00:00Z') });

    const day = interview.scheduledStart.toISOString().slice(0, 10);
    const refused = await fetch(`${base}/admin/audit?from=${day}&to=${day}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Basic');
    expect(
      (
        await fetch(`${base}/admin/audit?from=${day}&to=${day}`, {
          headers: { authorization: basic('ops', 'nope') },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${base}/admin/audit?from=${day}&to=yesterday`, {
          headers: { authorization: basic(ADMIN.user, ADMIN.password) },
        })
      ).status,
    ).toBe(400);

    const res = await fetch(`${base}/admin/audit?from=${day}&to=${day}`, {
      headers: { authorization: basic(ADMIN.user, ADMIN.password) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TInterviewAudit);
    const audit = lines.find((a) => a.interviewId === interview.id)!;
    expect(lines.every((a) => a.interview.scheduledStart.startsWith(day))).toBe(true);

    // Every event in the log, none missing, none added.
    const events = await prisma.event.findMany({
      where: { interviewId: interview.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.events.map((e) => e.id)).toEqual(events.map((e) => e.id.toString()));
    expect(audit.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'integrity.tab_hidden',
        'integrity.paste',
        'interview.plan_prepared',
        'interview.started',
        'evaluation.posted',
        'decision.advanced',
        'decision.undone',
        'decision.declined',
        'evaluation.reevaluation_requested',
      ]),
    );
    expect(audit.notice).toEqual({
      version: '2026-12',
      deliveries: [{ kind: 'invite', revision: 1, status: 'sent', sentAt: expect.any(String) }],
    });
    expect(audit.consent).toEqual({ version: 3, mode: 'voice', at: expect.any(String) });
    expect(audit.questions.map((q) => [q.turn, q.source, q.competency])).toEqual([
      [1, 'planned', 'system_design'],
      [2, 'planned', 'communication'],
      [3, 'follow_up', 'system_design'],
    ]);
    expect(audit.modelCalls).toEqual(
      [1, 2].map((v) => ({
        purpose: 'evaluation',
        evaluationVersion: v,
        model: 'test-model',
        promptVersion: expect.stringMatching(/^eval-/),
        rubricVersion: expect.stringMatching(/^rubric-[0-9a-f]{12}$/),
        calls: 1,
        outcome: 'succeeded',
        error: null,
        at: expect.any(String),
      })),
    );
    const quotes = audit.evaluations[0]!.competencies.flatMap((c) => c.quotes);
    expect(quotes).toContainEqual({
      quote:
        'I designed the billing pipeline around an outbox table and a queue so that a crashed worker never lost an invoice.',
      turn: 1,
    });
    expect(audit.integrity.map((i) => i.type)).toEqual(['integrity.tab_hidden', 'integrity.paste']);
    expect(audit.decisions.map((d) => [d.action, d.by, d.reason])).toEqual([
      ['advance', 'slack:U_HIRING', 'Strong design.'],
      ['undo', 'slack:U_HIRING', null],
      ['decline', `slack:${RECRUITER}`, null],
    ]);
    expect(audit.decision).toMatchObject({ outcome: 'declined', by: `slack:${RECRUITER}` });
    // No email address or answer text beyond the quotes.
    const text = JSON.stringify(audit);
    expect(text).not.toMatch(/@example\.com/);
    expect(text).not.toContain('We measured the lag and alerted when it passed five minutes.');

    // The same record behind a signed link: a page and the JSON; a transcript link does not open it.
    const exp = new Date(Date.now() + 3600_000);
    const secret = h.config.transcriptLinks.secret!;
    const auditLink = new URL(auditUrl(base, interview.id, exp, secret));
    const html = await fetch(auditLink);
    expect(html.status).toBe(200);
    const page = await html.text();
    for (const e of events) expect(page).toContain(`<td>${e.id}</td>`);
    expect(page).toContain('follow-up');
    expect(page).toContain('Panelist does no emotion, tone-of-voice or facial analysis.');
    const json = await fetch(`${auditLink}&format=json`);
    expect((await json.json()).events).toHaveLength(events.length);
    const transcriptLink = new URL(transcriptUrl(base, interview.id, exp, secret));
    expect((await fetch(`${base}/audits/${interview.id}${transcriptLink.search}`)).status).toBe(403);
    // The transcript page links to it.
    expect(await (await fetch(transcriptLink)).text()).toContain(`/audits/${interview.id}?exp=`);
  }, 60_000);
});

describe("the audit of the interviewer's own model calls", () => {
  const PLAN = {
    questions: [
      { text: 'Walk me through a system you designed for failure.', competency: 'system_design' },
      { text: 'How do you explain a trade-off to a non-engineer?', competency: 'communication' },
    ],
  };
  const systemOf = (r: { messages: Array<{ role: string; content?: unknown }> }) =>
    String(r.messages.find((m) => m.role === 'system')?.content ?? '');

  /** A scheduled interview whose window is open and whose plan is not made yet. */
  async function freshInterview(questions: string[] = []) {
    const interview = await seedInterview(h, {
      turns: [],
      status: 'scheduled',
      start: new Date(Date.now() - 60_000),
      startedAt: null,
    });
    await h.deps.prisma.role.update({
      where: { id: interview.roleId },
      data: { questionCount: 2, questions },
    });
    await h.deps.prisma.interview.update({
      where: { id: interview.id },
      data: { questionPlan: Prisma.DbNull, planPreparedAt: null },
    });
    return interview;
  }

  it('names the plan, each follow-up decision and each evaluation, with model, prompt and rubric versions, and each question source', async () => {
    let decisions = 0;
    const callsBefore = h.openai.calls.length;
    const evaluate = scriptedModel({ recommendation: 'hire' });
    h.openai.setChatHandler((r) => {
      const system = systemOf(r);
      if (system.startsWith('You plan structured job interviews')) return JSON.stringify(PLAN);
      if (system.startsWith('You are a calm, attentive interviewer')) {
        decisions++;
        // First answer: a follow-up. After the last planned question: a reply that is no decision.
        return decisions === 1
          ? JSON.stringify({
              action: 'follow_up',
              question: 'Which part of it failed first, and how did you know?',
            })
          : 'I cannot decide.';
      }
      return evaluate(r);
    });
    const interview = await freshInterview();
    const { prisma } = h.deps;

    expect(await prepareInterview(h.deps, interview.id, { allowFallback: false })).toEqual({ questions: 2 });
    await startInterview(h.deps, interview.id, { consentVersion: 3, mode: 'typed' });
    const answer = (seq: number, text: string) =>
      submitAnswer(h.deps, interview.id, { seq, clientId: `c${seq}`, text, mode: 'typed' });
    expect((await answer(0, GOOD_TURNS[0]!.a!)).kind).toBe('next');
    // The follow-up's answer gets no decision of its own: the next planned question follows.
    expect((await answer(1, 'The queue consumer failed first; the lag alert told us.')).kind).toBe('next');
    expect(await answer(2, GOOD_TURNS[1]!.a!)).toEqual({
      kind: 'completed',
      reason: 'finished',
    });
    expect(decisions).toBe(2);
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });

    const audit = await buildInterviewAudit(h.deps, interview.id);
    const evaluation = await prisma.evaluation.findFirstOrThrow({ where: { interviewId: interview.id } });
    expect(audit.questionPlanSource).toBe('model');
    expect(audit.models).toEqual({ chat: 'test-model', speechToText: 'whisper-1', textToSpeech: 'tts-1' });
    expect(audit.questions.map((q) => [q.turn, q.source, q.question])).toEqual([
      [1, 'planned', PLAN.questions[0]!.text],
      [2, 'follow_up', 'Which part of it failed first, and how did you know?'],
      [3, 'planned', PLAN.questions[1]!.text],
    ]);
    expect(
      audit.modelCalls.map(({ at, ...c }) => {
        expect(Date.parse(at)).not.toBeNaN();
        return c;
      }),
    ).toEqual([
      {
        purpose: 'question_plan',
        model: 'test-model',
        promptVersion: PLAN_PROMPT_VERSION,
        // The plan was written from the same rubric the evaluation scored against.
        rubricVersion: evaluation.rubricVersion,
        outcome: 'ok',
        error: null,
      },
      {
        purpose: 'follow_up_decision',
        model: 'test-model',
        promptVersion: NEXT_PROMPT_VERSION,
        rubricVersion: null,
        outcome: 'follow_up',
        error: null,
        afterTurn: 1,
      },
      {
        purpose: 'follow_up_decision',
        model: 'test-model',
        promptVersion: NEXT_PROMPT_VERSION,
        rubricVersion: null,
        outcome: 'failed',
        error: 'the model returned no usable decision',
        afterTurn: 3,
      },
      {
        purpose: 'evaluation',
        model: 'test-model',
        promptVersion: evaluation.promptVersion,
        rubricVersion: evaluation.rubricVersion,
        outcome: 'succeeded',
        error: null,
        evaluationVersion: 1,
        calls: 1,
      },
    ]);
    expect(PLAN_PROMPT_VERSION).toMatch(/^plan-[0-9a-f]{12}$/);
    expect(NEXT_PROMPT_VERSION).toMatch(/^next-[0-9a-f]{12}$/);
    // Every chat call the model server saw is in the audit: 1 plan + 2 decisions + 1 evaluation.
    const chatCalls = h.openai.calls.slice(callsBefore).filter((c) => c.path.endsWith('/chat/completions'));
    expect(chatCalls).toHaveLength(audit.modelCalls.length);
    // The page shows them too.
    const page = auditHtml(audit, '#');
    expect(page).toContain('follow-up decision');
    expect(page).toContain(PLAN_PROMPT_VERSION);
    expect(page).toContain('after turn 3');
  }, 60_000);

  it("marks the built-in bank's questions as fallback when the plan's model call fails, and lists the failed call", async () => {
    h.openai.setChatHandler(() => 'no plan today');
    const interview = await freshInterview(['Tell me about the last incident you handled.']);
    await expect(prepareInterview(h.deps, interview.id, { allowFallback: false })).rejects.toThrow(
      'the model returned no usable question plan',
    );
    // The job's last try (or the start) falls back to the built-in bank.
    await startInterview(h.deps, interview.id, { consentVersion: 3, mode: 'typed' });
    const audit = await buildInterviewAudit(h.deps, interview.id);
    expect(audit.questionPlanSource).toBe('built_in');
    expect(audit.modelCalls.map((c) => [c.purpose, c.outcome, c.error])).toEqual([
      ['question_plan', 'failed', 'the model returned no usable question plan'],
      ['question_plan', 'failed', 'the model returned no usable question plan'],
    ]);
    const plan = await h.deps.prisma.interview.findUniqueOrThrow({
      where: { id: interview.id },
      select: { questionPlan: true },
    });
    // The opener comes from the bank, then the role's own question.
    expect(plan.questionPlan).toEqual([
      expect.objectContaining({ origin: 'bank' }),
      { text: 'Tell me about the last incident you handled.', competency: null, origin: 'role' },
    ]);
    expect(audit.questions.map((q) => q.source)).toEqual(['fallback']);
  }, 60_000);
});

describe('the adverse-impact report', () => {
  const start = new Date('2031-05-06T14:00:00Z');

  it('gives selection rates and impact ratios for the AI and the person, flags under 4/5, marks small groups', async () => {
    await seedDecidedInterviews(h, start, [
      // Men: 30 of 50 advanced (0.60), the AI recommended 25 of them (0.50).
      { n: 50, sex: 'male', race: 'white', advanced: 30, aiHire: 25 },
      // Women: 12 of 40 advanced (0.30 → 0.30 / 0.60 = 0.50, flagged); the AI 20 of 40 (0.50 → 1.00).
      { n: 40, sex: 'female', race: 'black_or_african_american', advanced: 12, aiHire: 20 },
      // Three Asian women: too small to mean anything (under 5).
      { n: 3, sex: 'female', race: 'asian', advanced: 3, aiHire: 3 },
      // Declined to answer, and never answered: unknown, outside the ratios.
      { n: 4, sex: 'declined', race: 'declined', advanced: 1, aiHire: 1 },
      { n: 2, sex: null, race: 'declined', advanced: 0, aiHire: 0 },
    ]);

    const res = await fetch(`${base}/admin/reports/impact?from=2031-05-06&to=2031-05-06`, {
      headers: { authorization: basic(ADMIN.user, ADMIN.password) },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as B;
    expect(report.interviews).toBe(99);
    const group = (d: B, key: string) => d.groups.find((g: B) => g.key === key);

    // The person's decision, by sex: computed by hand.
    const male = group(report.human.sex, 'male');
    const female = group(report.human.sex, 'female');
    expect(male).toMatchObject({
      assessed: 50,
      selected: 30,
      selectionRate: 0.6,
      impactRatio: 1,
      isFlagged: false,
    });
    // 43 women: 15 advanced (12 + 3) → 0.3488…; ratio 0.5814, flagged.
    expect(female).toMatchObject({ assessed: 43, selected: 15, isFlagged: true, isTooSmall: false });
    expect(female.selectionRate).toBeCloseTo(15 / 43, 10);
    expect(female.impactRatio).toBeCloseTo(15 / 43 / 0.6, 10);
    expect(report.human.sex.referenceKey).toBe('male');
    expect(report.human.sex.unknown).toEqual({ assessed: 6, selected: 1 });

    // By race/ethnicity: White 30/50 = 0.6 (reference), Black 12/40 = 0.3 → exactly 0.5, flagged.
    const black = group(report.human.raceEthnicity, 'black_or_african_american');
    expect(black).toMatchObject({
      assessed: 40,
      selected: 12,
      selectionRate: 0.3,
      impactRatio: 0.5,
      isFlagged: true,
    });
    expect(group(report.human.raceEthnicity, 'white')).toMatchObject({ selectionRate: 0.6, impactRatio: 1 });
    const asian = group(report.human.raceEthnicity, 'asian');
    expect(asian).toMatchObject({
      assessed: 3,
      selected: 3,
      selectionRate: 1,
      impactRatio: null,
      isTooSmall: true,
      isFlagged: false,
    });
    // The intersection: Female · Black 0.3 against Male · White 0.6 → 0.5, flagged.
    expect(group(report.human.intersection, 'female/black_or_african_american')).toMatchObject({
      impactRatio: 0.5,
      isFlagged: true,
    });
    expect(group(report.human.intersection, 'female/asian')).toMatchObject({
      isTooSmall: true,
      impactRatio: null,
    });

    // The AI's recommendation: 25/50 and 20/40 → 1.00, not flagged.
    expect(group(report.ai.raceEthnicity, 'black_or_african_american')).toMatchObject({
      selectionRate: 0.5,
      impactRatio: 1,
      isFlagged: false,
    });

    // In Slack, for admins only, through a signed slash command.
    const send = (user: string, text: string) =>
      sendSlackRequest(
        `${base}/slack/events`,
        slashCommandBody({
          command: '/interview-report',
          text,
          userId: user,
          channelId: CHANNEL,
          triggerId: h.slack.issueTriggerId(user),
        }),
        h.config.slack.signingSecret!,
      );
    expect((await send(RECRUITER, '2031-05-06 2031-05-06')).status).toBe(200);
    const refusal = await until(() =>
      h.slack.ephemeralsFor(RECRUITER).find((m) => m.text.includes('/interview-report')),
    );
    expect(refusal.text).toContain('is for Panelist admins');
    expect(refusal.blocks).toBeUndefined();

    expect((await send(ADMIN_SLACK, '2031-05-06 2031-05-06')).status).toBe(200);
    const message = await until(() =>
      h.slack.ephemeralsFor(ADMIN_SLACK).find((m) => m.text.startsWith('Adverse-impact report')),
    );
    const race = (message.blocks as B[]).find((b) => b.block_id === 'report_human_race').text.text as string;
    expect(race).toContain('Black or African American                40    12  0.30   0.50  ⚠ under 4/5');
    expect(race).toContain('White                                    50    30  0.60   1.00  (reference)');
    expect(race).toContain('Asian                                     3     3  1.00      –  (too small)');
    expect(race).toContain('Unknown / declined to answer              6     1  0.17');
    expect(h.slack.violations).toEqual([]);

    expect((await send(ADMIN_SLACK, '2031-13-01')).status).toBe(200);
    await until(() =>
      h.slack.ephemeralsFor(ADMIN_SLACK).find((m) => m.text.startsWith('from is not a real date')),
    );
  }, 60_000);
});
