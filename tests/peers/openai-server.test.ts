import OpenAI, { APIConnectionTimeoutError, toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_QUESTION,
  DEFAULT_TRANSCRIPT,
  makeWav,
  type OpenAiServer,
  startOpenAiServer,
} from '../helpers/openai-server.js';

let server: OpenAiServer;
let openai: OpenAI;

beforeAll(async () => {
  server = await startOpenAiServer();
  openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.setFault(null);
  server.setChatHandler(null);
  server.setTranscriptionHandler(null);
  server.setLatency(0);
  server.calls.length = 0;
});

const evaluationFormat = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'evaluation',
    strict: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'verdict', 'evidence'],
      properties: {
        score: { type: 'integer', minimum: 1, maximum: 5 },
        verdict: { type: 'string', enum: ['hire', 'no_hire'] },
        evidence: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

describe('OpenAI-compatible server, driven by the openai SDK', () => {
  it('answers a chat completion with the handler content and records the request', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_QUESTION);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);

    server.setChatHandler((request) => `You said: ${String(request.messages.at(-1)?.content)}`);
    const echoed = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(echoed.choices[0]?.message.content).toBe('You said: ping');
    expect(server.calls.map((c) => c.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });

  it('answers json_schema requests with JSON that fits the schema by default', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Evaluate' }],
      response_format: evaluationFormat,
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({
      score: 1,
      verdict: 'hire',
      evidence: ['sample'],
    });
  });

  it('injects 429 and 500 statuses a given number of times, then recovers', async () => {
    server.setFault({ kind: 'status', status: 429, times: 1 });
    const request = () =>
      openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(request()).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    await expect(request()).resolves.toMatchObject({ object: 'chat.completion' });

    server.setFault({ kind: 'status', status: 500 });
    await expect(request()).rejects.toMatchObject({ status: 500, type: 'server_error' });
    await expect(request()).rejects.toMatchObject({ status: 500 });
  });

  it('hangs until the client gives up, and sends malformed answers on demand', async () => {
    server.setFault({ kind: 'hang', times: 1 });
    const impatient = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0, timeout: 150 });
    await expect(
      impatient.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);

    server.setFault({ kind: 'malformed', times: 1 });
    const completion = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Evaluate' }],
      response_format: evaluationFormat,
    });
    expect(() => JSON.parse(completion.choices[0]?.message.content ?? '')).toThrow();

    server.setFault({ kind: 'malformed', times: 1 });
    await expect(
      openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
  });

  it('applies a fixed latency to every request', async () => {
    server.setLatency(120);
    const started = performance.now();
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('transcribes multipart uploads, handing the audio bytes to the handler', async () => {
    const wav = makeWav();
    const plain = await openai.audio.transcriptions.create({
      file: await toFile(wav, 'answer.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });
    expect(plain.text).toBe(DEFAULT_TRANSCRIPT);

    let received: { size: number; contentType: string; filename: string; language?: string } | undefined;
    server.setTranscriptionHandler(({ audio, contentType, filename, fields }) => {
      received = { size: audio.length, contentType, filename, language: fields.language };
      return 'I would shard by customer.';
    });
    const custom = await openai.audio.transcriptions.create({
      file: await toFile(wav, 'answer.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      language: 'en',
    });
    expect(custom.text).toBe('I would shard by customer.');
    expect(received).toEqual({
      size: wav.length,
      contentType: 'audio/wav',
      filename: 'answer.wav',
      language: 'en',
    });
    expect(server.calls.at(-1)?.body).toMatchObject({
      model: 'whisper-1',
      file: { filename: 'answer.wav', size: wav.length },
    });
  });

  it('speaks as valid WAV and MP3 bytes', async () => {
    const wav = Buffer.from(
      await (
        await openai.audio.speech.create({
          model: 'tts-1',
          voice: 'alloy',
          input: 'Hi',
          response_format: 'wav',
        })
      ).arrayBuffer(),
    );
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(wav.readUInt32LE(24)).toBe(16_000);
    expect(wav.readUInt32LE(40)).toBe(16_000 * 2 * 0.3);

    const response = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi' });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const mp3 = Buffer.from(await response.arrayBuffer());
    expect([mp3[0], mp3[1]]).toEqual([0xff, 0xfb]);
    expect(mp3.length % 417).toBe(0);
  });
});
