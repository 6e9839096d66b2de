/**
 * Session keys, answers and email addresses never reach a log line. The logger
 * here has no redaction at all and logs everything (trace), so what it records
 * is exactly what the code hands it.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateSessionKey } from '../../src/domain/session-key.js';
import { startPortal, type TPortalHarness } from './harness.js';

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

  const ws = new WebSocket(`${base.replace('http', 'ws')}/interview/ws`);
  const inbox: Array<{ type: string }> = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  const send = (m: Record<string, unknown>) =>
    ws.send(JSON.stringify({ v: 1, id: `m${inbox.length}-${Math.random()}`, ...m }));
  const waitFor = async (type: string) => {
    for (let i = 0; i < 300 && !inbox.some((m) => m.type === type); i++)
      await new Promise((r) => setTimeout(r, 50));
    return inbox.find((m) => m.type === type);
  };
  send({ type: 'hello', key });
  await waitFor('state');
  send({ type: 'start', consent: true });
  await waitFor('question');
  send({
    type: 'answer',
    seq: 0,
    clientId: 'log-check-0001',
    text: 'My secret project Zanzibar-42.',
    mode: 'typed',
  });
  inbox.length = 0;
  await waitFor('question');
  await h.app.inject({
    method: 'POST',
    url: '/interview/audio',
    headers: { 'content-type': 'audio/webm', 'x-session-key': key },
    payload: Buffer.alloc(2000, 1),
  });
  ws.close();
  h.openai?.setFault(null);

  const all = lines.join('');
  expect(lines.length).toBeGreaterThan(3);
  expect(all).toContain('transcription failed');
  expect(all).not.toContain(key);
  expect(all).not.toContain('Zanzibar');
  expect(all).not.toContain('@example.test');
  expect(all).not.toContain('rita@acme.test');
});
