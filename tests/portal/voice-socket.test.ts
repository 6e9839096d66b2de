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

async function started(opts: { plan?: typeof PLAN } = {}) {
  const iv = await h.createInterview({ start: new Date(Date.now() - 60_000), plan: opts.plan ?? PLAN });
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
    expect(caption).toMatchObject({ seq: 0, piece: 0, text: 'I led the migration of our billing service.', final: true });
    const end = await room.next('turn_end', { from: mark });
    expect(end).toMatchObject({ seq: 0, reason: 'pause', text: 'I led the migration of our billing service.' });
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
});
