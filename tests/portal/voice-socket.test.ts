/**
 * The live voice turn over a real WebSocket (protocol v2), against the real
 * portal, PostgreSQL, Redis and the OpenAI-compatible test server: audio frames
 * as the browser sends them, the server's own transcript, streamed replies.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../src/portal/app.js';
import { FRAME_SPEECH, PROTOCOL_VERSION, RELOAD_CLOSE_CODE } from '../../src/portal/protocol.js';
import { AudioStore } from '../../src/services/interview/audio-store.js';
import { retryPendingTranscripts, settleTranscripts } from '../../src/services/interview/transcripts.js';
import { startPortal, type TPortalHarness } from './harness.js';
import { openRoom, pcmChunk, type TVoiceRoom } from './voice-room.js';

let h: TPortalHarness;
let base: string;
let second: FastifyInstance;
let base2: string;

const PLAN = [
  { text: 'Tell me about a project you are proud of.', competency: null },
  { text: 'How do you decide what to work on first?', competency: null },
  { text: 'What would you do in your first month?', competency: null },
];

beforeAll(async () => {
  h = await startPortal({
    openai: { chatHandler: () => '{"action":"next"}' },
    config: {},
  });
  h.deps.config.voice = { sttDeadlineMs: 1500, decisionDeadlineMs: 4000, speechFirstByteMs: 3000 };
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  // A second portal process: same database and Redis, its own memory.
  second = await buildPortal(h.deps);
  base2 = await second.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await second?.close();
  await h?.close();
});

async function started(opts: { plan?: typeof PLAN; candidateName?: string } = {}) {
  const iv = await h.createInterview({
    start: new Date(Date.now() - 60_000),
    plan: opts.plan ?? PLAN,
    ...(opts.candidateName ? { candidateName: opts.candidateName } : {}),
  });
  const room = await openRoom(base, iv.key);
  await room.next('state');
  room.send({ type: 'start', consent: true, mode: 'voice' });
  await room.next('question');
  return { iv, room };
}

/** Says `voiced` chunks of speech then `silent` chunks of silence, from chunk `from`. */
function say(room: TVoiceRoom, seq: number, from: number, voiced: number, silent: number): number {
  let i = from;
  for (let k = 0; k < voiced; k++) room.audio(seq, i++, true);
  for (let k = 0; k < silent; k++) room.audio(seq, i++, false);
  return i;
}

describe('a voice answer over the WebSocket', () => {
  it('is acknowledged, captioned while spoken, ended by a pause after finished words, and stored as the server’s own transcript', async () => {
    h.openai?.setTranscriptionHandler(() => 'I led the migration of our billing service.');
    const { iv, room } = await started();
    room.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
    await room.next('audio_ack');
    const mark = room.inbox.length;
    say(room, 0, 0, 15, 15); // 1.5 s of speech, then 1.5 s of silence
    const caption = await room.next('caption', { from: mark });
    expect(caption).toMatchObject({
      seq: 0,
      piece: 0,
      text: 'I led the migration of our billing service.',
      final: true,
    });
    const end = await room.next('turn_end', { from: mark });
    expect(end).toMatchObject({
      seq: 0,
      reason: 'pause',
      text: 'I led the migration of our billing service.',
    });
    expect(await room.next('answer_text', { from: mark })).toMatchObject({
      seq: 0,
      text: 'I led the migration of our billing service.',
      pending: false,
    });
    const ack = await room.next('audio_ack', { from: mark, where: (m) => m.upTo === 29 });
    expect(ack.seq).toBe(0);
    const q = await room.next('question', { from: mark });
    expect(q.turn).toMatchObject({ seq: 1, question: PLAN[1]?.text });
    await room.next('speech_end', { from: mark, where: (m) => m.seq === 1 });
    expect(room.speech.some((s) => s.frame.kind === FRAME_SPEECH && s.frame.seq === 1)).toBe(true);
    const turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
    });
    expect(turn).toMatchObject({
      answerText: 'I led the migration of our billing service.',
      answerMode: 'voice',
      transcriptPending: false,
      audioDurationMs: 3000,
    });
    // The audit's record of the streamed follow-up decision is stored on the question it chose.
    const asked = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 1 } },
    });
    expect(asked.decisionCall).toMatchObject({
      purpose: 'follow_up_decision',
      model: h.deps.ai?.chatModel,
      promptVersion: expect.stringMatching(/^next-[0-9a-f]{12}$/),
      outcome: 'next',
    });
    // The piece sent to speech-to-text was a WAV of the spoken part (plus its pause).
    const stt = h.openai?.calls.filter((c) => c.path === '/v1/audio/transcriptions').at(-1)?.body as {
      file: { filename: string; type: string; size: number };
    };
    expect(stt.file.type).toBe('audio/wav');
    expect(stt.file.size).toBe(44 + 18 * pcmChunk(true).byteLength);
    // The audio is deleted once the transcript is stored.
    const store = new AudioStore(h.deps.queues.connection, h.prefix);
    await expect.poll(() => store.indexes(iv.id, 0)).toEqual([]);
    await room.close();
  });

  it('chunks are acknowledged and de-duplicated across a reconnect that lands on another portal process', async () => {
    h.openai?.setTranscriptionHandler(() => 'We moved the billing queue to a new design.');
    const { iv, room } = await started();
    room.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
    await room.next('audio_ack');
    say(room, 0, 0, 10, 0);
    await room.next('audio_ack', { where: (m) => m.upTo === 9 });
    // Five more chunks, then the network drops before they are (all) acknowledged.
    for (let i = 10; i < 15; i++) room.audio(0, i, true);
    room.ws.terminate();

    const again = await openRoom(base2, iv.key);
    const state = await again.next('state');
    expect(state.resume).toMatchObject({ seq: 0, mime: 'audio/pcm;rate=16000' });
    expect(state.resume?.upTo).toBeGreaterThanOrEqual(9);
    again.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
    await again.next('audio_ack');
    // The browser resends what it holds (here from chunk 5: some of it twice), then goes on.
    for (let i = 5; i < 15; i++) again.audio(0, i, true);
    for (let i = 15; i < 30; i++) again.audio(0, i, false);
    const end = await again.next('turn_end');
    expect(end.text).toBe('We moved the billing queue to a new design.');
    await again.next('question', { where: (m) => m.turn.seq === 1 });
    const pieces = await h.db.prisma.answerPiece.findMany({ where: { interviewId: iv.id, seq: 0 } });
    expect(pieces.map((p) => [p.fromChunk, p.toChunk, p.status])).toEqual([[0, 17, 'done']]);
    // Exactly 18 chunks of audio went to speech-to-text: none lost, none twice.
    const stt = h.openai?.calls.filter((c) => c.path === '/v1/audio/transcriptions').at(-1)?.body as {
      file: { size: number };
    };
    expect(stt.file.size).toBe(44 + 18 * pcmChunk(true).byteLength);
    await again.close();
  });

  it('transcription failing 3 times then recovering: the answer is stored whole and the candidate is never asked to repeat it', async () => {
    h.openai?.setTranscriptionHandler(() => 'Our on-call rota was my idea, and it halved the pages.');
    h.openai?.addFault({ kind: 'status', status: 500, times: 3, route: 'transcription' });
    const { iv, room } = await started();
    room.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
    await room.next('audio_ack');
    const mark = room.inbox.length;
    // Without its text, the pause counts as unfinished: the answer ends after 5 s of silence.
    say(room, 0, 0, 15, 55);
    const pending = await room.next('transcription_pending', { from: mark, timeoutMs: 15_000 });
    expect(pending.message).toContain('do not need to repeat');
    expect(await room.next('answer_text', { from: mark })).toMatchObject({ seq: 0, text: '', pending: true });
    await room.next('question', { from: mark, where: (m) => m.turn.seq === 1 });
    const beforeRetry = room.inbox.length;
    let turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
    });
    expect(turn).toMatchObject({ answerMode: 'voice', transcriptPending: true });
    const kept = await h.db.prisma.answerPiece.findFirstOrThrow({ where: { interviewId: iv.id, seq: 0 } });
    expect(kept.status).toBe('pending');
    expect(kept.audio?.byteLength).toBe(44 + 18 * pcmChunk(true).byteLength);
    // The background retry (due after its back-off) fails a third time, then recovers.
    await h.db.prisma.answerPiece.update({ where: { id: kept.id }, data: { nextAttemptAt: new Date(0) } });
    const store = new AudioStore(h.deps.queues.connection, h.prefix);
    expect(await retryPendingTranscripts(h.deps, store, { interviewId: iv.id })).toBe(1);
    turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
    });
    expect(turn).toMatchObject({
      answerText: 'Our on-call rota was my idea, and it halved the pages.',
      transcriptPending: false,
    });
    expect((await h.db.prisma.answerPiece.findUniqueOrThrow({ where: { id: kept.id } })).audio).toBeNull();
    expect(await store.indexes(iv.id, 0)).toEqual([]);
    // The room, still open, is told the whole answer (announced through Redis to the portal holding it).
    expect(await room.next('answer_text', { from: beforeRetry })).toMatchObject({
      seq: 0,
      text: 'Our on-call rota was my idea, and it halved the pages.',
      pending: false,
    });
    // Nothing in the room asked for the answer again.
    const after = room.inbox.slice(mark);
    expect(after.filter((m) => m.type === 'error' || m.type === 'prompt')).toEqual([]);
    await room.close();
  });

  it('a hung transcription: the room is told within 10 s, and the answer is transcribed before the evaluation scores', async () => {
    h.openai?.setTranscriptionHandler(() => 'I would meet the team first.');
    h.openai?.addFault({ kind: 'hang', times: 2, route: 'transcription' });
    const { iv, room } = await started();
    room.send({ type: 'audio_start', seq: 0, mime: 'audio/pcm;rate=16000' });
    await room.next('audio_ack');
    const mark = room.inbox.length;
    say(room, 0, 0, 15, 55);
    await room.next('turn_end', { from: mark });
    const endedAt = Date.now();
    const first = await room.next('status', { from: mark, where: (m) => m.phase === 'transcribing' });
    expect(Date.now() - endedAt).toBeLessThan(10_000);
    expect(first.message).toContain('into text');
    await room.next('transcription_pending', { from: mark, timeoutMs: 15_000 });
    await room.next('question', { from: mark, where: (m) => m.turn.seq === 1 });
    // The interview ends; the evaluation job settles pending transcriptions before it scores.
    room.send({ type: 'finish' });
    await room.next('completed');
    expect(await settleTranscripts(h.deps, iv.id)).toBe(0);
    const turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
    });
    expect(turn).toMatchObject({ answerText: 'I would meet the team first.', transcriptPending: false });
    await room.close();
  });

  it('barge-in: the server stops sending the interviewer’s speech and records how much was heard', async () => {
    h.openai?.setStreaming({ speechSecondsPerChar: 0.2, speechRealtimeFactor: 1 });
    try {
      const { iv, room } = await started({ candidateName: 'Grace Hopper' });
      await room.next('speech_start', { where: (m) => m.seq === 0 });
      await expect.poll(() => room.speech.filter((s) => s.frame.seq === 0).length).toBeGreaterThan(0);
      room.send({ type: 'barge_in', seq: 0, playedMs: 400 });
      const ok = await room.next('barge_in_ok');
      expect(ok).toMatchObject({ seq: 0, policy: 'heard' });
      expect(ok.message).toContain('stays on screen');
      const stopped = await room.next('speech_end', { where: (m) => m.seq === 0 });
      expect(stopped.stopped).toBe(true);
      const count = room.speech.filter((s) => s.frame.seq === 0).length;
      await new Promise((r) => setTimeout(r, 800));
      expect(room.speech.filter((s) => s.frame.seq === 0).length).toBe(count);
      const turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
        where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
      });
      expect(turn.bargeInPlayedMs).toBe(400);
      await room.close();
    } finally {
      h.openai?.setStreaming({ speechSecondsPerChar: 0, speechRealtimeFactor: 0 });
    }
  });

  it('a typed answer’s text is accepted; text the browser sends as a voice answer is refused', async () => {
    const { iv, room } = await started();
    let mark = room.inbox.length;
    room.send({
      type: 'answer',
      seq: 0,
      clientId: 'client-voice-1',
      text: 'Trust me, I said this.',
      mode: 'voice',
    });
    const refused = await room.next('error', { from: mark });
    expect(refused.code).toBe('invalid_input');
    expect(refused.message).toContain('transcribed by the server');
    mark = room.inbox.length;
    room.send({
      type: 'answer',
      seq: 0,
      clientId: 'client-typed-1',
      text: 'I typed this answer.',
      mode: 'typed',
    });
    await room.next('question', { from: mark, where: (m) => m.turn.seq === 1 });
    const turn = await h.db.prisma.interviewTurn.findUniqueOrThrow({
      where: { interviewId_seq: { interviewId: iv.id, seq: 0 } },
    });
    expect(turn).toMatchObject({ answerText: 'I typed this answer.', answerMode: 'typed' });
    await room.close();
  });

  it('a page on another protocol version is told to reload', async () => {
    const iv = await h.createInterview({ start: new Date(Date.now() - 60_000), plan: PLAN });
    const room = await openRoom(base, iv.key).catch(() => null);
    room?.ws.send(JSON.stringify({ v: PROTOCOL_VERSION + 1, id: 'x1', type: 'ping' }));
    const closed = new Promise<number>((resolve) => room?.ws.once('close', (code) => resolve(code)));
    const err = await room?.next('error', { where: (m) => m.code === 'reload' });
    expect(err?.message).toContain('reload');
    expect(await closed).toBe(RELOAD_CLOSE_CODE);
  });
});
