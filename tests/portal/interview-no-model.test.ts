/** With no model configured the interview still runs: built-in questions, typed answers, browser speech. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startPortal, type TPortalHarness } from './harness.js';

let h: TPortalHarness;
let base: string;

beforeAll(async () => {
  h = await startPortal({ ai: false });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => h?.close());

it('runs from the role’s own questions then the built-in bank, without follow-ups, spoken by the browser', async () => {
  const { id, key } = await h.createInterview({
    start: new Date(Date.now() - 60_000),
    questions: ['Why do you want to join our payments team?'],
    questionCount: 3,
  });
  const page = await h.app.inject({ method: 'GET', url: `/interview?session_key=${key}` });
  expect(page.body).toContain('"voiceAvailable":false');

  const ws = new WebSocket(`${base.replace('http', 'ws')}/interview/ws`);
  const inbox: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  let n = 0;
  const send = (m: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, id: `m${++n}`, ...m }));
  const next = async (...types: string[]) => {
    for (let i = 0; i < 100; i++) {
      const at = inbox.findIndex((m) => types.includes(String(m.type)));
      if (at >= 0) return inbox.splice(at, 1)[0] as Record<string, unknown> & { turn: { seq: number } };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${types.join(' or ')}`);
  };
  send({ type: 'hello', key });
  await next('state');
  send({ type: 'start', consent: true });
  const questions: string[] = [];
  let q = await next('question');
  for (;;) {
    questions.push((q.turn as unknown as { question: string }).question);
    const speech = await next('speech');
    expect(speech).toMatchObject({ fallback: true, seq: q.turn.seq });
    send({
      type: 'answer',
      seq: q.turn.seq,
      clientId: `typed-${q.turn.seq}-xyz`,
      text: 'A typed answer.',
      mode: 'typed',
    });
    const m = await next('question', 'completed');
    if (m.type === 'completed') break;
    q = m;
  }
  expect(questions).toHaveLength(3);
  expect(questions[0]).toBe(
    'To start, could you tell me a little about yourself and what drew you to this role?',
  );
  expect(questions[1]).toBe('Why do you want to join our payments team?');
  expect(questions[2]).toMatch(/system design/);

  const audio = await h.app.inject({
    method: 'POST',
    url: '/interview/audio',
    headers: { 'content-type': 'audio/webm', 'x-session-key': key },
    payload: Buffer.alloc(100),
  });
  expect(audio.statusCode).toBe(409); // the interview has ended
  ws.close();
  const row = await h.db.prisma.interview.findUniqueOrThrow({ where: { id }, include: { turns: true } });
  expect(row.status).toBe('completed');
  expect(row.turns.every((t) => !t.isFollowUp)).toBe(true);
});
