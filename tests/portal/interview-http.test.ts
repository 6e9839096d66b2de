import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateSessionKey } from '../../src/domain/session-key.js';
import { prepareHandler } from '../../src/jobs/handlers/prepare.js';
import type { TJobContext } from '../../src/jobs/worker.js';
import {
  MAX_FRAME_BYTES,
  RELOAD_CLOSE_CODE,
  RELOAD_MESSAGE,
  WRAP_UP_SEQ,
} from '../../src/portal/protocol.js';
import { evaluationJobs, startPortal, type TPortalHarness } from './harness.js';
import { openRoom } from './voice-room.js';

let h: TPortalHarness;
let base: string;
const MIN = 60_000;

beforeAll(async () => {
  h = await startPortal();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => h?.close());

const get = (url: string, ip = '10.0.0.1') => h.app.inject({ method: 'GET', url, remoteAddress: ip });

describe('the link', () => {
  it('gives the same generic page for an unknown or malformed key, and says a cancelled one was cancelled', async () => {
    const cancelled = await h.createInterview({ status: 'cancelled' });
    const cancelledPage = await get(`/interview?session_key=${cancelled.key}`, '10.1.0.1');
    expect(cancelledPage.statusCode).toBe(410);
    expect(cancelledPage.body).toContain('This interview was cancelled');
    expect(cancelledPage.body).not.toContain('replaced by a newer');
    const pages = await Promise.all([
      get(`/interview?session_key=${generateSessionKey()}`, '10.1.0.1'),
      get('/interview?session_key=short', '10.1.0.1'),
      get(`/?session_key=${generateSessionKey()}`, '10.1.0.1'),
    ]);
    for (const p of pages) {
      expect(p.statusCode).toBe(404);
      expect(p.body).toBe(pages[0]?.body);
    }
    expect(pages[0]?.body).toContain('This interview link is not valid');
  });

  it('rate-limits repeated misses from one address (429); a valid key still works from it', async () => {
    const valid = await h.createInterview();
    for (let i = 0; i < 10; i++) {
      expect((await get(`/interview?session_key=${generateSessionKey()}`, '10.2.0.1')).statusCode).toBe(404);
    }
    const blocked = await get(`/interview?session_key=${generateSessionKey()}`, '10.2.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('Too many attempts');
    // Only wrong keys are counted and limited: the candidate behind that address gets in.
    expect((await get(`/interview?session_key=${valid.key}`, '10.2.0.1')).statusCode).toBe(200);
    // Another address is unaffected.
    expect((await get(`/interview?session_key=${generateSessionKey()}`, '10.2.0.2')).statusCode).toBe(404);
  });

  it('too early: says when to come back, in the candidate’s own time zone', async () => {
    const start = new Date('2031-03-14T09:00:00Z');
    h.setNow(new Date(start.getTime() - 60 * MIN));
    const { key } = await h.createInterview({ start, timeZone: 'Asia/Kolkata' });
    const res = await get(`/interview?session_key=${key}`);
    h.setNow(undefined);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your interview is not open yet');
    expect(res.body).toContain('Friday 14 March 2031 at 14:30 IST (UTC+05:30)');
    expect(res.body).toContain('Friday 14 March 2031 at 14:15 IST (UTC+05:30)'); // lobby opens 15 min before
  });

  it('in the lobby window (before joining opens) the lobby is shown, and joining time is given to the page', async () => {
    const start = new Date('2031-03-14T09:00:00Z');
    h.setNow(new Date(start.getTime() - 10 * MIN)); // lobby opens 15 min before, joining 5 min before
    const { key } = await h.createInterview({ start });
    const res = await get(`/interview?session_key=${key}`);
    h.setNow(undefined);
    expect(res.body).toContain('System check');
    expect(res.body).toContain('"joinOpensAt":"2031-03-14T08:55:00.000Z"');
    expect(res.body).toContain(
      '<button type="button" id="start" class="primary" disabled>Start interview</button>',
    );
  });

  it('too late: says the window closed and whom to contact', async () => {
    const start = new Date('2031-03-14T09:00:00Z');
    h.setNow(new Date(start.getTime() + 41 * MIN)); // 30-minute slot + 10 minutes grace have passed
    const { key } = await h.createInterview({ start, timeZone: 'America/New_York' });
    const res = await get(`/interview?session_key=${key}`);
    h.setNow(undefined);
    expect(res.body).toContain('The time for this interview has passed');
    expect(res.body).toContain('Friday 14 March 2031 at 05:40 EDT (UTC-04:00)');
    expect(res.body).toContain('rita@acme.test');
  });

  it('the lobby escapes what people typed and is served under a strict CSP', async () => {
    const { key } = await h.createInterview({
      roleTitle: '<img src=x onerror=alert(1)> & Co',
      candidateName: 'Bob "B" <b>',
    });
    const res = await get(`/interview?session_key=${key}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; Co');
    expect(res.body).toContain('Welcome, Bob &quot;B&quot; &lt;b&gt;');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).not.toContain('session_key');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect((await get('/interview/assets/interview.js')).headers['content-type']).toContain('javascript');
  });
});

describe('the interview over the WebSocket (protocol v2)', () => {
  it('runs: start, greeting once, follow-up, duplicate answer recorded once, finish → completed, evaluation enqueued once', async () => {
    h.openai?.setChatHandler((req) => {
      const text = JSON.stringify(req.messages);
      return text.includes('follow-up') && text.includes('first answer')
        ? '{"action":"follow_up","question":"What was your own part in that?"}'
        : '{"action":"next"}';
    });
    const plan = [
      { text: 'Tell me about a service you built.', competency: 'design' },
      { text: 'How do you test it?', competency: null },
    ];
    const { id, key } = await h.createInterview({ start: new Date(Date.now() - MIN), plan });
    const room = await openRoom(base, key);
    expect((await room.next('state')).state.status).toBe('not_started');

    room.send({ type: 'start', consent: true });
    const q1 = await room.next('question');
    expect(q1.turn.question).toBe('Tell me about a service you built.');
    expect(q1.greeting).toMatch(/^Hello Ada, thank you for joining/);
    const speech = await room.next('speech_start', { where: (m) => m.seq === 0 });
    expect(speech.mime).toBe('audio/mpeg');
    expect(speech.text).toBe(`${q1.greeting} ${q1.turn.question}`);

    const answer = {
      type: 'answer',
      seq: 0,
      clientId: 'client-answer-0001',
      text: 'My first answer.',
      mode: 'typed',
    };
    const mark = room.inbox.length;
    room.send(answer);
    room.send(answer); // a double submit
    const q2 = await room.next('question', { from: mark });
    expect(q2.turn).toMatchObject({ seq: 1, isFollowUp: true, question: 'What was your own part in that?' });
    // The second copy is not a second answer: the room is redrawn at the follow-up.
    const redraw = await room.next('state', { from: mark });
    expect(redraw.state.current?.seq).toBe(1);
    expect(room.inbox.slice(mark).filter((m) => m.type === 'question')).toHaveLength(1);

    // A reconnect resumes at the same question with the transcript, and no second greeting.
    await room.close();
    const again = await openRoom(base, key);
    const resumed = (await again.next('state')).state;
    expect(resumed.current?.seq).toBe(1);
    expect(resumed.turns).toHaveLength(2);
    expect(again.inbox.some((m) => m.type === 'question')).toBe(false);

    again.send({
      type: 'answer',
      seq: 1,
      clientId: 'client-answer-0002',
      text: 'I wrote the queue.',
      mode: 'typed',
    });
    const q3 = await again.next('question');
    expect(q3.turn).toMatchObject({
      seq: 2,
      planIndex: 1,
      isFollowUp: false,
      question: 'How do you test it?',
    });
    again.send({ type: 'integrity', signal: 'paste', seq: 2, chars: 120 });
    again.send({ type: 'finish' });
    const done = await again.next('completed');
    expect(done.reason).toBe('finished');
    const mark2 = again.inbox.length;
    again.send({ type: 'finish' });
    await again.next('completed', { from: mark2 });
    await again.close();

    const row = await h.db.prisma.interview.findUniqueOrThrow({ where: { id }, include: { turns: true } });
    expect(row.status).toBe('completed');
    expect(row.endReason).toBe('finished');
    expect(row.turns.filter((t) => t.answerText !== null).map((t) => t.answerText)).toEqual([
      'My first answer.',
      'I wrote the queue.',
    ]);
    expect(await evaluationJobs(h, id)).toHaveLength(1);
    const events = await h.db.prisma.event.findMany({ where: { interviewId: id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual([
      'interview.started',
      'integrity.paste',
      'interview.completed',
    ]);
  });

  it('the server enforces consent and the window: start without consent or before it opens is refused', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() + 10 * MIN) });
    const room = await openRoom(base, key);
    await room.next('state');
    room.send({ type: 'start' });
    expect(await room.next('error')).toMatchObject({
      code: 'invalid_input',
      message: 'Please read and accept the notice about the AI interviewer before you begin.',
    });
    room.send({ type: 'start', consent: true });
    expect(await room.next('error', { where: (m) => m.code !== 'invalid_input' })).toMatchObject({
      code: 'outside_window',
      message: 'It is too early to start.',
    });
    await room.close();
  });

  it('a wrong key is refused and the socket closed (4401); audio that is not a protocol frame, or too big, is refused', async () => {
    const wrong = await openRoom(base, generateSessionKey());
    const closed = new Promise<number>((r) => wrong.ws.once('close', (code) => r(code)));
    expect(await wrong.next('error')).toMatchObject({
      code: 'invalid_link',
      message: 'This interview link is not valid.',
    });
    expect(await closed).toBe(4401);

    const { key } = await h.createInterview({ start: new Date(Date.now() - MIN) });
    const room = await openRoom(base, key);
    await room.next('state');
    room.ws.send(Buffer.from('not a frame'), { binary: true });
    expect(await room.next('error')).toMatchObject({
      code: 'invalid_input',
      message: 'That binary frame is not audio.',
    });
    const tooBig = new Promise<number>((r) => room.ws.once('close', (code) => r(code)));
    room.ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1), { binary: true });
    expect(await tooBig).toBe(1009); // the WebSocket's own "message too big"
  });

  it('a page still speaking protocol v1 is told to reload (its answers are saved)', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() - MIN) });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/interview/ws`);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<{ code: string; message: string; id?: string }>((r) =>
      ws.once('message', (d) => r(JSON.parse(d.toString()))),
    );
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(JSON.stringify({ v: 1, id: 'm1', type: 'hello', key }));
    expect(await reply).toMatchObject({ id: 'm1', code: 'reload', message: RELOAD_MESSAGE });
    expect(await closed).toBe(RELOAD_CLOSE_CODE);
  });

  it('a flood of messages closes the connection', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() - MIN) });
    const room = await openRoom(base, key);
    await room.next('state');
    const closed = new Promise<number>((r) => room.ws.once('close', (code) => r(code)));
    for (let i = 0; i < 80; i++) room.send({ type: 'ping' });
    expect(await room.next('error')).toMatchObject({ code: 'rate_limited' });
    expect(await closed).toBe(4429);
  });

  it('a second tab takes over from the first', async () => {
    const { key } = await h.createInterview({ start: new Date(Date.now() - MIN) });
    const first = await openRoom(base, key);
    await first.next('state');
    const second = await openRoom(base, key);
    await second.next('state');
    await first.next('taken_over');
    await second.close();
  });

  it('time running out completes the interview with a spoken wrap-up', async () => {
    // A 1-minute slot that started 1 minute ago, with the window still open (grace): 0 ms left.
    const { id, key } = await h.createInterview({ start: new Date(Date.now() - MIN), minutes: 1 });
    const room = await openRoom(base, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    await h.db.prisma.interview.update({
      where: { id },
      data: { startedAt: new Date(Date.now() - 2 * MIN) },
    });
    room.send({ type: 'answer', seq: 0, clientId: 'client-late-0001', text: 'Late answer', mode: 'typed' });
    const done = await room.next('completed');
    expect(done.reason).toBe('time_up');
    expect(done.text).toContain('end of our time');
    const wrapUp = await room.next('speech_start', { where: (m) => m.seq === WRAP_UP_SEQ });
    expect(wrapUp.text).toBe(done.text);
    await room.close();
    expect(await evaluationJobs(h, id)).toHaveLength(1);
  });
});

describe('when things go wrong', () => {
  it('a failing model costs the follow-up, not the interview: the next planned question comes', async () => {
    h.openai?.setFault({ kind: 'status', status: 500, route: 'chat' });
    const plan = [
      { text: 'First planned question?', competency: null },
      { text: 'Second planned question?', competency: null },
    ];
    const { key } = await h.createInterview({ start: new Date(Date.now() - MIN), plan });
    const room = await openRoom(base, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    room.send({ type: 'answer', seq: 0, clientId: 'client-fault-0001', text: 'An answer.', mode: 'typed' });
    const q2 = await room.next('question', { where: (m) => m.turn.seq === 1, timeoutMs: 15_000 });
    h.openai?.setFault(null);
    expect(q2.turn).toMatchObject({
      seq: 1,
      planIndex: 1,
      isFollowUp: false,
      question: 'Second planned question?',
    });
    await room.close();
  });

  it('an evaluation that could not be enqueued when the interview ended (Redis down) is enqueued by the next try', async () => {
    const { id, key } = await h.createInterview({ start: new Date(Date.now() - MIN) });
    const room = await openRoom(base, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    h.deps.queues.connection.disconnect();
    room.send({ type: 'finish' });
    expect(await room.next('error')).toMatchObject({ code: 'unavailable' });
    expect((await h.db.prisma.interview.findUniqueOrThrow({ where: { id } })).status).toBe('completed');
    await h.deps.queues.connection.connect();
    room.send({ type: 'finish' });
    expect(await room.next('completed')).toMatchObject({ reason: 'finished' });
    expect(await evaluationJobs(h, id)).toHaveLength(1);
    await room.close();
  });

  it('an answer saved without its next question (a crash in between) is picked up on reconnect', async () => {
    const plan = [
      { text: 'Planned one?', competency: null },
      { text: 'Planned two?', competency: null },
    ];
    const { id, key } = await h.createInterview({
      start: new Date(Date.now() - MIN),
      status: 'in_progress',
      plan,
    });
    await h.db.prisma.interview.update({ where: { id }, data: { startedAt: new Date() } });
    await h.db.prisma.interviewTurn.create({
      data: {
        interviewId: id,
        seq: 0,
        planIndex: 0,
        question: 'Planned one?',
        answerText: 'Saved.',
        answeredAt: new Date(),
      },
    });
    const room = await openRoom(base, key);
    const state = (await room.next('state')).state;
    expect(state.current).toMatchObject({ seq: 1, planIndex: 1, question: 'Planned two?' });
    await room.close();
  });

  it('an interview whose window closed while nobody was connected is completed once, on the next visit', async () => {
    const start = new Date(Date.now() - 45 * MIN); // 30-minute slot: the window closed 5 minutes ago
    const { id, key } = await h.createInterview({ start, status: 'in_progress' });
    await h.db.prisma.interview.update({
      where: { id },
      data: { startedAt: new Date(Date.now() - 10 * MIN) },
    });
    const res = await get(`/interview?session_key=${key}`);
    expect(res.body).toContain('You have completed this interview');
    const again = await get(`/interview?session_key=${key}`);
    expect(again.body).toContain('You have completed this interview');
    const row = await h.db.prisma.interview.findUniqueOrThrow({ where: { id } });
    expect([row.status, row.endReason]).toEqual(['completed', 'window_closed']);
    expect(await evaluationJobs(h, id)).toHaveLength(1);
  });
});

describe('prepare job', () => {
  it('writes a plan once, from the model, and keeps it on a second run', async () => {
    h.openai?.setChatHandler(() =>
      JSON.stringify({
        questions: [
          { text: 'Describe a system you designed.', competency: 'design' },
          { text: 'How do you handle incidents?', competency: 'unknown-key' },
        ],
      }),
    );
    const { id } = await h.createInterview({ questions: ['Why this team?'], questionCount: 3 });
    const handler = prepareHandler(h.deps);
    const ctx = { isFinalAttempt: false, logger: h.deps.logger } as unknown as TJobContext;
    await handler({ interviewId: id, revision: 1 }, ctx);
    const first = await h.db.prisma.interview.findUniqueOrThrow({ where: { id } });
    expect(first.questionPlan).toEqual([
      { text: 'Why this team?', competency: null, origin: 'role' },
      { text: 'Describe a system you designed.', competency: 'design', origin: 'model' },
      { text: 'How do you handle incidents?', competency: null, origin: 'model' },
    ]);
    expect(await handler({ interviewId: id, revision: 1 }, ctx)).toEqual({ skipped: 'already_prepared' });
  });

  it('falls back to the built-in plan on the last attempt when the model fails', async () => {
    h.openai?.setFault({ kind: 'status', status: 500, route: 'chat' });
    const { id } = await h.createInterview({ questionCount: 4 });
    const handler = prepareHandler(h.deps);
    const ctx = (final: boolean) =>
      ({ isFinalAttempt: final, logger: h.deps.logger }) as unknown as TJobContext;
    await expect(handler({ interviewId: id, revision: 1 }, ctx(false))).rejects.toThrow();
    await handler({ interviewId: id, revision: 1 }, ctx(true));
    h.openai?.setFault(null);
    const row = await h.db.prisma.interview.findUniqueOrThrow({ where: { id } });
    expect((row.questionPlan as unknown[]).length).toBe(4);
  });
});
