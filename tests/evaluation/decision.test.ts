/**
 * The human decision in Slack, through real Bolt behind the real Fastify receiver with signed
 * requests: Advance and Decline open a modal for an optional reason, its submission records the
 * decision; Undo records at once. Each, clicked twice, is recorded once. The root message names
 * the decider, Decline emails nobody, and a re-evaluation after a decision shows both.
 */
import { App } from '@slack/bolt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerEvaluationActions } from '../../src/bot/listeners/actions/evaluation.js';
import { FastifySlackReceiver } from '../../src/bot/receiver.js';
import { requestReevaluation } from '../../src/services/evaluation/thread-actions.js';
import type { SlackMessage, SlackViewOutput } from '../../tools/slack-emulator/emulator.js';
import {
  actionFromBlocks,
  blockActionsPayload,
  interactionBody,
  sendSlackRequest,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import {
  CHANNEL,
  GOOD_TURNS,
  RECRUITER,
  scriptedModel,
  seedInterview,
  startHarness,
  type THarness,
} from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as the emulator stored it.
type B = any;
const HANK = 'U_HIRING';
const textOf = (m: SlackMessage) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;

let h: THarness;
let bolt: FastifyInstance;
let endpoint: string;

beforeAll(async () => {
  h = await startHarness();
  const receiver = new FastifySlackReceiver({
    signingSecret: h.config.slack.signingSecret!,
    logger: h.deps.logger,
  });
  const app = new App({
    receiver,
    token: 'xoxb-test-token',
    tokenVerificationEnabled: false,
    clientOptions: { slackApiUrl: h.config.slack.apiUrl! },
  });
  registerEvaluationActions(app, h.deps);
  bolt = Fastify();
  await bolt.register(receiver.plugin);
  await bolt.listen({ host: '127.0.0.1', port: 0 });
  const address = bolt.server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
});
afterAll(async () => {
  await bolt?.close();
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

function click(message: SlackMessage, actionId: string, user = HANK) {
  return sendSlackRequest(
    endpoint,
    interactionBody(
      blockActionsPayload({
        user,
        channel: CHANNEL,
        message: message as unknown as Parameters<typeof blockActionsPayload>[0]['message'] & object,
        actions: [actionFromBlocks(message.blocks, actionId)],
        triggerId: h.slack.issueTriggerId(user),
      }),
    ),
    h.config.slack.signingSecret!,
  );
}

/** Clicks Advance or Decline and waits for the modal Bolt opens for that user. */
async function openDecision(message: SlackMessage, actionId: string, user = HANK): Promise<SlackViewOutput> {
  const before = h.slack.openModal(user)?.id;
  expect((await click(message, actionId, user)).status).toBe(200);
  return until(() => {
    const view = h.slack.openModal(user);
    return view && view.id !== before ? view : undefined;
  });
}

function submit(view: SlackViewOutput, reason: string | null, user = HANK) {
  const filled = h.slack.submitViewState(view.id, { decision_reason: { reason } });
  return sendSlackRequest(
    endpoint,
    interactionBody(viewSubmissionPayload({ user, view: filled, triggerId: h.slack.issueTriggerId(user) })),
    h.config.slack.signingSecret!,
  );
}

async function decisionEvents(interviewId: string) {
  return h.deps.prisma.event.findMany({
    where: { interviewId, type: { startsWith: 'decision.' } },
    orderBy: { id: 'asc' },
  });
}

async function settle(interviewId: string, count: number) {
  return until(async () => {
    const events = await decisionEvents(interviewId);
    return events.length >= count ? events : undefined;
  });
}

describe('the human decision', () => {
  it('Advance, Decline and Undo, each clicked twice, are recorded once each, with who, when and why', async () => {
    h.openai.setChatHandler(scriptedModel({ recommendation: 'no_hire' }));
    h.slack.addUser({ id: 'U_OTHER', name: 'olga', tz: 'UTC' });
    const interview = await seedInterview(h, { turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const post = h.thread(interview)[1]!;
    // The recommendation is advisory, and nothing was decided by it.
    expect(textOf(post)).toContain('*AI-generated and advisory.* A person makes the hiring decision.');
    expect(await decisionEvents(interview.id)).toEqual([]);

    // Advance: the modal says the recommendation is advisory; twice (the second by the same person).
    const modal = await openDecision(post, 'decision_advance');
    expect(modal.title).toMatchObject({ text: 'Advance candidate' });
    expect(JSON.stringify(modal.blocks)).toContain('The AI recommendation is advisory only.');
    expect((await submit(modal, 'Strong design answer; wants a second round.')).status).toBe(200);
    await settle(interview.id, 1);
    expect((await submit(await openDecision(post, 'decision_advance'), null)).status).toBe(200);
    await until(() =>
      h.slack
        .ephemeralsFor(HANK)
        .find((m) => m.text === `Already advanced by <@${HANK}>; nothing new was recorded.`),
    );
    // Two people submitting at once still record nothing new.
    const [a, b] = await Promise.all([
      openDecision(post, 'decision_advance', HANK),
      openDecision(post, 'decision_advance', 'U_OTHER'),
    ]);
    await Promise.all([submit(a, 'again', HANK), submit(b, 'me too', 'U_OTHER')]);
    await until(() => h.slack.ephemeralsFor('U_OTHER').length > 0);
    let events = await decisionEvents(interview.id);
    expect(events.map((e) => [e.type, e.actor])).toEqual([['decision.advanced', `slack:${HANK}`]]);
    expect(events[0]!.data).toEqual({
      reason: 'Strong design answer; wants a second round.',
      evaluationVersion: 1,
    });

    // The thread says who decided; the root message too ("Advanced by @hank"), beside the AI's advice.
    let thread = h.thread(interview);
    const note = thread.find((m) => m.text.includes('Advanced by'))!;
    expect(note.text).toBe(`:white_check_mark: Advanced by <@${HANK}>.`);
    expect(textOf(note)).toContain('Strong design answer; wants a second round.');
    expect(textOf(thread[0]!)).toContain('Advanced by @hank. AI evaluation: No hire (advisory).');
    expect(thread.filter((m) => m.text.includes('Advanced by'))).toHaveLength(1);

    // Decline while advanced is refused: undo first.
    await submit(await openDecision(post, 'decision_decline'), 'changed my mind');
    await until(() => h.slack.ephemeralsFor(HANK).find((m) => m.text.includes('Undo that decision first')));

    // Undo, twice (from the decision note's button).
    expect((await click(note, 'decision_undo')).status).toBe(200);
    await settle(interview.id, 2);
    expect((await click(note, 'decision_undo')).status).toBe(200);
    await until(() => h.slack.ephemeralsFor(HANK).find((m) => m.text === 'There is no decision to undo.'));

    // Decline, twice: recorded once, and nobody is emailed.
    await submit(await openDecision(post, 'decision_decline'), null);
    await settle(interview.id, 3);
    await submit(await openDecision(post, 'decision_decline'), 'again');
    await until(() =>
      h.slack
        .ephemeralsFor(HANK)
        .find((m) => m.text === `Already declined by <@${HANK}>; nothing new was recorded.`),
    );
    events = await decisionEvents(interview.id);
    expect(events.map((e) => e.type)).toEqual(['decision.advanced', 'decision.undone', 'decision.declined']);
    expect(events.every((e) => e.actor === `slack:${HANK}` && e.createdAt instanceof Date)).toBe(true);
    expect(events[1]!.data).toEqual({ undid: 'advanced' });
    expect(events[2]!.data).toEqual({ evaluationVersion: 1 });
    const modalText = JSON.stringify(h.slack.callsTo('views.open').at(-1)?.args);
    expect(modalText).toContain('Panelist does not email the candidate when you decline.');
    expect(await h.deps.prisma.emailDelivery.count({ where: { interviewId: interview.id } })).toBe(0);
    expect(await h.deps.queues.queue('email').getJobCounts()).toMatchObject({
      waiting: 0,
      delayed: 0,
      active: 0,
    });
    thread = h.thread(interview);
    expect(thread.find((m) => m.text.startsWith(':no_entry: Declined by'))?.text).toBe(
      `:no_entry: Declined by <@${HANK}>. Panelist did not email the candidate; tell them yourself.`,
    );
    expect(textOf(thread[0]!)).toContain('Declined by @hank.');
    expect(h.slack.violations).toEqual([]);
  }, 60_000);

  it('a re-evaluation after a decision shows both the decision and the new evaluation', async () => {
    h.openai.setChatHandler(scriptedModel({ recommendation: 'hire' }));
    const interview = await seedInterview(h, { turns: GOOD_TURNS, candidateName: 'Grace Hopper' });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const post = h.thread(interview)[1]!;
    await submit(await openDecision(post, 'decision_advance'), null);
    await settle(interview.id, 1);

    h.openai.setChatHandler(scriptedModel({ recommendation: 'no_hire' }));
    const version = await requestReevaluation(h.deps, { interviewId: interview.id, userId: RECRUITER });
    expect(version).toBe(2);
    await h.runHandler({
      interviewId: interview.id,
      version: 2,
      reason: 'reevaluate',
      requestedBy: RECRUITER,
    });
    const thread = h.thread(interview);
    const v2 = thread.find(
      (m) => (m.blocks as B[] | undefined)?.[0]?.text?.text === 'Evaluation v2: Grace Hopper',
    )!;
    const standing = (v2.blocks as B[]).find((b) => b.block_id === 'evaluation_decision');
    expect(standing.text.text).toMatch(
      new RegExp(
        `^:busts_in_silhouette: \\*Decision standing: Advanced by <@${HANK}>\\* <!date\\^\\d+\\^.*\\(on evaluation v1\\)\\. This evaluation does not change it; only a person can\\.$`,
      ),
    );
    expect(textOf(v2)).toContain('*Recommendation: No hire*');
    // The root names both: the person's decision (taken on v1) and the newer advice.
    expect(textOf(thread[0]!)).toContain(
      'Advanced by @hank (decided on evaluation v1). AI evaluation v2: No hire (advisory). Details in the thread.',
    );
    // The advice did not move the decision.
    expect((await decisionEvents(interview.id)).map((e) => e.type)).toEqual(['decision.advanced']);
  }, 60_000);
});
