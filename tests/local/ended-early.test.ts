/**
 * A candidate who ends the interview after 1 of 3 questions: the room says it ended early and how
 * many questions were answered (not "That was the last question"), and the hiring team's thread,
 * scheduling message and transcript page say "ended early after 1 of 3 questions", never "finished".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildPortal } from '../../src/portal/app.js';
import { PROTOCOL_VERSION } from '../../src/portal/protocol.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { scriptedModel, seedInterview, startHarness, type THarness } from '../evaluation/harness.js';
import { startPortal, type TPortalHarness } from '../portal/harness.js';

const textOf = (m: SlackMessage) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;
const ANSWER =
  'I split our billing service into queue-driven workers, and wrote the migration plan we ran in three steps.';

describe('the room', () => {
  let h: TPortalHarness;
  let base: string;
  beforeAll(async () => {
    h = await startPortal({ ai: false });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => h?.close());

  it('says the interview ended early, after 1 of 3 questions, when the candidate ends it', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() - 60_000), questionCount: 3 });
    // The room's last screen, where that text goes, does not claim the interview is complete.
    const page = await h.app.inject({ method: 'GET', url: `/interview?session_key=${key}` });
    expect(page.body).toContain('<h1 id="done-h">Thank you, the interview has ended</h1>');
    const ws = new WebSocket(`${base.replace('http', 'ws')}/interview/ws`);
    const inbox: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => inbox.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    let n = 0;
    const send = (m: Record<string, unknown>) =>
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id: `m${++n}`, ...m }));
    const next = async (type: string) => {
      for (let i = 0; i < 200; i++) {
        const at = inbox.findIndex((m) => m.type === type);
        if (at >= 0) return inbox.splice(at, 1)[0] as Record<string, unknown> & { turn: { seq: number } };
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${type}`);
    };
    send({ type: 'hello', key });
    await next('state');
    send({ type: 'start', consent: true });
    const first = await next('question');
    send({ type: 'answer', seq: first.turn.seq, clientId: 'typed-0-abc', text: ANSWER, mode: 'typed' });
    await next('question');
    send({ type: 'finish' });
    const done = await next('completed');
    ws.close();
    expect(done.reason).toBe('finished');
    expect(done.text).toBe(
      'You ended the interview early, after answering 1 of 3 questions. Thank you for your time: your answers so far have been sent to the hiring team, who will be in touch.',
    );
  });
});

describe('the thread', () => {
  let h: THarness;
  beforeAll(async () => {
    h = await startHarness({ ai: false });
  });
  afterAll(async () => h?.close());

  it('says "ended early after 1 of 3 questions" in the post, the scheduling message and the transcript page', async () => {
    const interview = await seedInterview(h, {
      turns: [
        { q: 'Tell me about a system you designed.', a: ANSWER },
        { q: 'How do you explain a trade-off?', a: null },
      ],
      endReason: 'finished',
      plannedQuestions: 3,
    });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const [root, post] = h.thread(interview);
    expect(textOf(post!)).toContain(
      '*The interview with Ada Lovelace ended early after 1 of 3 questions.* No AI evaluation runs on this installation',
    );
    expect(textOf(root!)).toContain(
      '*Status*\\n:checkered_flag: Interview ended early after 1 of 3 questions',
    );
    for (const m of [root!, post!]) expect(textOf(m)).not.toMatch(/finished|completed/i);

    const portal = await buildPortal(h.deps);
    try {
      const button = JSON.stringify(post!.blocks).match(/"url":"([^"]+\/transcripts\/[^"]+)"/);
      const url = new URL(JSON.parse(`"${button![1]}"`));
      const page = await portal.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(' · ended early after 1 of 3 questions</p>');
      expect(page.body).not.toContain('finished');
    } finally {
      await portal.close();
    }
  });

  it('with a model, the evaluation post says it too', async () => {
    const ai = await startHarness();
    try {
      ai.openai.setChatHandler(scriptedModel({}));
      const interview = await seedInterview(ai, {
        turns: [{ q: 'Tell me about a system you designed.', a: `${ANSWER} ${ANSWER} ${ANSWER}` }],
        endReason: 'finished',
        plannedQuestions: 3,
      });
      await ai.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
      const post = ai.thread(interview)[1]!;
      expect(textOf(post)).toContain('1 of 1 questions answered · ended early after 1 of 3 questions');
    } finally {
      await ai.close();
    }
  });
});
