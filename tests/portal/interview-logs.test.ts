/**
 * Session keys, answers and email addresses never reach a log line. The logger
 * here has no redaction at all and logs everything (trace), so what it records
 * is exactly what the code hands it.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSessionKey } from '../../src/domain/session-key.js';
import { startPortal, type TPortalHarness } from './harness.js';
import { openRoom } from './voice-room.js';

const lines: string[] = [];
let h: TPortalHarness;
let base: string;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  h = await startPortal({ logger: pino({ level: 'trace' }, sink) });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => h?.close());

it('logs requests and interview events without the key, the answers or the email address', async () => {
  h.openai?.setFault({ kind: 'status', status: 500 }); // failures log too: make them happen
  const { key } = await h.createInterview({ start: new Date(Date.now() - 60_000) });
  await h.app.inject({ method: 'GET', url: `/interview?session_key=${key}` });
  await h.app.inject({ method: 'GET', url: `/?session_key=${generateSessionKey()}` });

  const room = await openRoom(base, key);
  await room.next('state');
  room.send({ type: 'start', consent: true, mode: 'voice' });
  await room.next('question');
  room.send({
    type: 'answer',
    seq: 0,
    clientId: 'log-check-0001',
    text: 'My secret project Zanzibar-42.',
    mode: 'typed',
  });
  await room.next('question', { where: (m) => m.turn.seq === 1, timeoutMs: 15_000 });
  // A spoken answer whose transcription fails: the failure is logged, the key and audio are not.
  room.send({ type: 'audio_start', seq: 1, mime: 'audio/pcm;rate=16000' });
  await room.next('audio_ack', { where: (m) => m.seq === 1 });
  for (let i = 0; i < 15; i++) room.audio(1, i, true);
  for (let i = 15; i < 70; i++) room.audio(1, i, false);
  await room.next('transcription_pending', { timeoutMs: 20_000 });
  await room.close();
  h.openai?.setFault(null);

  const all = lines.join('');
  expect(lines.length).toBeGreaterThan(3);
  expect(all).toContain('piece transcription failed');
  expect(all).not.toContain(key);
  expect(all).not.toContain('Zanzibar');
  expect(all).not.toContain('@example.test');
  expect(all).not.toContain('rita@acme.test');
});
