/** With no model configured the interview still runs: built-in questions, typed answers, browser speech. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPortal, type TPortalHarness } from './harness.js';
import { openRoom } from './voice-room.js';

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

  const room = await openRoom(base, key);
  const state = await room.next('state');
  expect(state.voice).toMatchObject({ answers: false, speech: false });
  room.send({ type: 'start', consent: true });
  const questions: string[] = [];
  let q = await room.next('question');
  // Without speech-to-text, a spoken answer is refused with what to do instead.
  room.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
  expect(await room.next('error', { where: (m) => m.code === 'unavailable' })).toMatchObject({
    message: 'Spoken answers need a speech-to-text service, and none is set up. Please type your answer.',
  });
  for (;;) {
    questions.push(q.turn.question);
    // No speech server: the browser reads the question itself.
    const speech = await room.next('speech_fallback', { where: (m) => m.seq === q.turn.seq });
    expect(speech.text).toContain(q.turn.question);
    const mark = room.inbox.length;
    room.send({
      type: 'answer',
      seq: q.turn.seq,
      clientId: `typed-${q.turn.seq}-xyz`,
      text: 'A typed answer.',
      mode: 'typed',
    });
    const seq = q.turn.seq;
    const next = await Promise.race([
      room.next('question', { from: mark, where: (m) => m.turn.seq === seq + 1 }),
      room.next('completed', { from: mark }),
    ]);
    if (next.type === 'completed') break;
    q = next;
  }
  expect(questions).toHaveLength(3);
  expect(questions[0]).toBe(
    'To start, could you tell me a little about yourself and what drew you to this role?',
  );
  expect(questions[1]).toBe('Why do you want to join our payments team?');
  expect(questions[2]).toMatch(/system design/);

  await room.close();
  const row = await h.db.prisma.interview.findUniqueOrThrow({ where: { id }, include: { turns: true } });
  expect(row.status).toBe('completed');
  expect(row.turns.every((t) => !t.isFollowUp)).toBe(true);
});
