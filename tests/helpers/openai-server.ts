import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyReply } from 'fastify';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';

/**
 * An OpenAI-compatible HTTP server for the real `openai` SDK: chat completions (with
 * `response_format: json_schema`; `stream: true` answers as server-sent events, token by token at a
 * set rate), audio transcriptions (multipart) and speech (WAV/MP3/PCM bytes; MP3 can stream in
 * chunks at a set multiple of real time). Faults (per endpoint, N times or until cleared) and
 * latency (for all, or per endpoint: time to the first byte) are injected per test.
 */

export type ChatRequest = ChatCompletionCreateParamsNonStreaming;

export interface ChatReply {
  content: string;
  finishReason?: 'stop' | 'length' | 'content_filter';
}

export type ChatHandler = (request: ChatRequest) => string | ChatReply | Promise<string | ChatReply>;

export interface TranscriptionRequest {
  audio: Buffer;
  filename: string;
  contentType: string;
  model: string;
  /** Every other form field (language, prompt, response_format…). */
  fields: Record<string, string>;
}

export type TranscriptionHandler = (request: TranscriptionRequest) => string | Promise<string>;

export type OpenAiRoute = 'chat' | 'transcription' | 'speech';

export type OpenAiFault =
  /** Answer with this status and OpenAI's error body, `times` times (default: until cleared). */
  | { kind: 'status'; status: 429 | 500 | 502 | 503; times?: number; route?: OpenAiRoute }
  /** Accept the request and never answer, until the server closes. */
  | { kind: 'hang'; times?: number; route?: OpenAiRoute }
  /** 200 with a body that does not parse (or, for a json_schema chat, content that is not JSON). */
  | { kind: 'malformed'; times?: number; route?: OpenAiRoute };

export interface OpenAiCall {
  path: string;
  /** The JSON body, or for multipart the fields with the file summarised as `{ filename, type, size }`. */
  body: unknown;
  /** Epoch milliseconds. */
  at: number;
}

export interface OpenAiServer {
  /** For `new OpenAI({ baseURL })`, ends with `/v1`. */
  baseURL: string;
  calls: OpenAiCall[];
  setChatHandler(handler: ChatHandler | null): void;
  setTranscriptionHandler(handler: TranscriptionHandler | null): void;
  /** `null` clears every fault. Replaces any fault set before. */
  setFault(fault: OpenAiFault | null): void;
  /** Adds a fault for its route (or every route), keeping other routes' faults. */
  addFault(fault: OpenAiFault): void;
  setLatency(ms: number): void;
  /** Time to the first byte of one endpoint (overrides setLatency for it); null: back to the shared one. */
  setRouteLatency(route: OpenAiRoute, ms: number | null): void;
  setStreaming(options: OpenAiStreaming): void;
  close(): Promise<void>;
}

export interface OpenAiStreaming {
  /** Streamed chat (`stream: true`): tokens (about 4 characters each) per second after the first; 0: all at once. */
  chatTokensPerSecond?: number;
  /** Speech: seconds of MP3 per character of input (0: the fixed 0.3 s clip). */
  speechSecondsPerChar?: number;
  /** Speech: how fast the MP3 body is sent, as a multiple of real time (0: all at once). */
  speechRealtimeFactor?: number;
}

export interface OpenAiServerOptions {
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Per endpoint (overrides latencyMs): time to the first byte. */
  routeLatencyMs?: Partial<Record<OpenAiRoute, number>>;
  streaming?: OpenAiStreaming;
  chatHandler?: ChatHandler;
  transcriptionHandler?: TranscriptionHandler;
  fault?: OpenAiFault;
}

export const DEFAULT_TRANSCRIPT = 'I led the migration of our billing service to a queue-based design.';
export const DEFAULT_QUESTION =
  'Thanks. Could you walk me through a project you are proud of, and your part in it?';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value that satisfies a JSON schema, for the default chat answer to a `json_schema` request:
 * enums and consts take their first value, numbers their minimum, arrays their minimum length (≥ 1).
 */
export function sampleFromJsonSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isObject(schema) || depth > 20) return null;
  if (typeof schema.$ref === 'string') {
    const path = schema.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const key of path) target = isObject(target) ? target[key] : undefined;
    return sampleFromJsonSchema(target, root, depth + 1);
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const variants = schema[key];
    if (Array.isArray(variants)) {
      const chosen = variants.find((v) => !(isObject(v) && v.type === 'null')) ?? variants[0];
      return sampleFromJsonSchema(chosen, root, depth + 1);
    }
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, sampleFromJsonSchema(value, root, depth + 1)]),
      );
    }
    case 'array': {
      const count = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 1, 1);
      const capped = typeof schema.maxItems === 'number' ? Math.min(count, schema.maxItems) : count;
      return Array.from({ length: capped }, () => sampleFromJsonSchema(schema.items, root, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const max = typeof schema.maximum === 'number' ? schema.maximum : min;
      return type === 'integer'
        ? Math.ceil(Math.max(min, Math.min(min, max)))
        : Math.max(min, Math.min(min, max));
    }
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return new Date(0).toISOString();
      if (schema.format === 'date') return '1970-01-01';
      return typeof schema.minLength === 'number' ? 'sample'.padEnd(schema.minLength, '.') : 'sample';
    case 'null':
      return null;
    default:
      return null;
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

const defaultChatHandler: ChatHandler = (request) => {
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    return JSON.stringify(sampleFromJsonSchema(format.json_schema.schema ?? {}));
  }
  if (format?.type === 'json_object') return '{}';
  return DEFAULT_QUESTION;
};

/** PCM16 mono samples of a 440 Hz tone at a fifth of full scale. */
function tone(sampleRate: number, seconds: number): Buffer {
  const count = Math.round(sampleRate * seconds);
  const pcm = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 6500), i * 2);
  }
  return pcm;
}

/** A valid RIFF/WAVE file: PCM16, mono, 16 kHz, 0.3 s of a tone. */
export function makeWav(seconds = 0.3, sampleRate = 16_000): Buffer {
  const pcm = tone(sampleRate, seconds);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/**
 * A valid MP3 of silence: MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz, mono, whose side information is
 * all zero (no main data), which decoders play as silence. 417 bytes and 1152 samples a frame.
 */
export function makeMp3(seconds = 0.3): Buffer {
  const frames = Math.ceil((seconds * 44_100) / 1152);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

const SPEECH_FORMATS: Record<string, { contentType: string; bytes: () => Buffer }> = {
  wav: { contentType: 'audio/wav', bytes: () => makeWav() },
  mp3: { contentType: 'audio/mpeg', bytes: () => makeMp3() },
  // OpenAI's pcm is raw 24 kHz 16-bit little-endian, no header.
  pcm: { contentType: 'audio/pcm', bytes: () => tone(24_000, 0.3) },
};

function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) {
  return { status, body: { error: { message, type, param, code } } };
}

function faultError(status: number) {
  return status === 429
    ? openAiError(
        429,
        'Rate limit reached for requests. Please try again in 1s.',
        'requests',
        'rate_limit_exceeded',
      )
    : openAiError(
        status,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server on 127.0.0.1 at a free port. */
export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  let chatHandler: ChatHandler = options.chatHandler ?? defaultChatHandler;
  let transcriptionHandler: TranscriptionHandler = options.transcriptionHandler ?? (() => DEFAULT_TRANSCRIPT);
  type TArmed = { fault: OpenAiFault; left: number };
  let faults: TArmed[] = options.fault
    ? [{ fault: options.fault, left: options.fault.times ?? Number.POSITIVE_INFINITY }]
    : [];
  let latencyMs = options.latencyMs ?? 0;
  const routeLatency: Partial<Record<OpenAiRoute, number>> = { ...(options.routeLatencyMs ?? {}) };
  let streaming: OpenAiStreaming = { ...(options.streaming ?? {}) };
  const calls: OpenAiCall[] = [];
  const hung = new Set<ServerResponse>();

  /** The fault this request gets, if any; counts it down. */
  const takeFault = (route: OpenAiRoute): OpenAiFault | null => {
    const armed = faults.find((f) => f.left > 0 && (f.fault.route === undefined || f.fault.route === route));
    if (!armed) return null;
    armed.left -= 1;
    return armed.fault;
  };

  /** Applies latency and a status or hang fault; returns true when the request was answered. */
  const preamble = async (
    route: OpenAiRoute,
    reply: FastifyReply,
  ): Promise<OpenAiFault | 'answered' | null> => {
    const wait = routeLatency[route] ?? latencyMs;
    if (wait > 0) await sleep(wait);
    const current = takeFault(route);
    if (current?.kind === 'status') {
      const error = faultError(current.status);
      if (current.status === 429) reply.header('retry-after', '1');
      await reply.code(error.status).send(error.body);
      return 'answered';
    }
    if (current?.kind === 'hang') {
      reply.hijack();
      hung.add(reply.raw);
      return 'answered';
    }
    return current;
  };

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 26 * 1024 * 1024 });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-request-id', `req_${randomBytes(12).toString('hex')}`);
    reply.header('openai-processing-ms', String(latencyMs));
  });

  app.post('/v1/chat/completions', async (request, reply) => {
    calls.push({ path: '/v1/chat/completions', body: request.body, at: Date.now() });
    const fault = await preamble('chat', reply);
    if (fault === 'answered') return reply;
    const body = request.body;
    const invalid = (message: string, param: string) => {
      const error = openAiError(400, message, 'invalid_request_error', null, param);
      return reply.code(400).send(error.body);
    };
    if (!isObject(body)) return invalid('The request body must be a JSON object.', 'body');
    if (typeof body.model !== 'string' || !body.model)
      return invalid('you must provide a model parameter', 'model');
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return invalid("'messages' must contain at least one message", 'messages');
    }
    const format = body.response_format;
    if (isObject(format) && format.type === 'json_schema') {
      const schema = format.json_schema;
      if (!isObject(schema) || typeof schema.name !== 'string' || !schema.name) {
        return invalid("Missing required parameter: 'response_format.json_schema.name'.", 'response_format');
      }
    }
    const request_ = body as unknown as ChatRequest;
    const wantsJson = isObject(format) && (format.type === 'json_schema' || format.type === 'json_object');
    if (fault?.kind === 'malformed' && !wantsJson) {
      return reply.code(200).type('application/json').send('{"id":"chatcmpl-broken","object":"chat.comp');
    }
    const answer = await chatHandler(request_);
    const reply_ = typeof answer === 'string' ? { content: answer } : answer;
    const content =
      fault?.kind === 'malformed' ? `Sure! Here is the evaluation: ${reply_.content}` : reply_.content;
    if (body.stream === true) {
      // Server-sent events as OpenAI sends them: a role delta, content deltas, a finish chunk, [DONE].
      const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          system_fingerprint: 'fp_panelist_test',
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        })}\n\n`;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': `req_${randomBytes(12).toString('hex')}`,
      });
      hung.add(raw);
      raw.write(chunk({ role: 'assistant', content: '' }, null));
      const tokens = content.match(/[\s\S]{1,4}/g) ?? [];
      const rate = streaming.chatTokensPerSecond ?? 0;
      for (const [i, token] of tokens.entries()) {
        if (raw.destroyed) return reply;
        if (rate > 0 && i > 0) await sleep(1000 / rate);
        raw.write(chunk({ content: token }, null));
      }
      raw.write(chunk({}, reply_.finishReason ?? 'stop'));
      raw.end('data: [DONE]\n\n');
      hung.delete(raw);
      return reply;
    }
    const promptTokens = Math.ceil(
      body.messages.map((m) => textOf(isObject(m) ? m.content : '')).join(' ').length / 4,
    );
    const completionTokens = Math.ceil(content.length / 4);
    const completion: ChatCompletion = {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: reply_.finishReason ?? 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_panelist_test',
    };
    return reply.code(200).send(completion);
  });

  app.post('/v1/audio/transcriptions', async (request, reply) => {
    const contentType = request.headers['content-type'] ?? '';
    const invalid = (message: string, param: string) =>
      reply.code(400).send(openAiError(400, message, 'invalid_request_error', null, param).body);
    if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
      calls.push({ path: '/v1/audio/transcriptions', body: null, at: Date.now() });
      return invalid('Transcriptions take multipart/form-data.', 'file');
    }
    // Undici's multipart parser, through a Request: the same code a browser's fetch uses.
    const form = await new Request('http://openai.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(request.body),
    }).formData();
    const fields: Record<string, string> = {};
    let file: File | null = null;
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') fields[key] = value;
      else if (key === 'file') file = value;
    }
    calls.push({
      path: '/v1/audio/transcriptions',
      body: { ...fields, file: file ? { filename: file.name, type: file.type, size: file.size } : null },
      at: Date.now(),
    });
    const fault = await preamble('transcription', reply);
    if (fault === 'answered') return reply;
    if (!file) return invalid("Missing required parameter: 'file'.", 'file');
    if (!fields.model) return invalid("Missing required parameter: 'model'.", 'model');
    if (file.size === 0) return invalid('Audio file is empty.', 'file');
    if (fault?.kind === 'malformed')
      return reply.code(200).type('application/json').send('{"text": "unterminated');
    const { model, ...rest } = fields;
    const text = await transcriptionHandler({
      audio: Buffer.from(await file.arrayBuffer()),
      filename: file.name,
      contentType: file.type,
      model,
      fields: rest,
    });
    const format = fields.response_format ?? 'json';
    if (format === 'text' || format === 'srt' || format === 'vtt') {
      return reply.code(200).type('text/plain; charset=utf-8').send(text);
    }
    if (format === 'verbose_json') {
      return reply.code(200).send({
        task: 'transcribe',
        language: fields.language ?? 'english',
        duration: 0.3,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: 0.3,
            text,
            tokens: [],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1,
            no_speech_prob: 0.01,
          },
        ],
      });
    }
    return reply.code(200).send({ text, usage: { type: 'duration', seconds: 1 } });
  });

  app.post('/v1/audio/speech', async (request, reply) => {
    calls.push({ path: '/v1/audio/speech', body: request.body, at: Date.now() });
    const fault = await preamble('speech', reply);
    if (fault === 'answered') return reply;
    const body = isObject(request.body) ? request.body : {};
    const invalid = (message: string, param: string) =>
      reply.code(400).send(openAiError(400, message, 'invalid_request_error', null, param).body);
    if (typeof body.model !== 'string' || !body.model)
      return invalid('you must provide a model parameter', 'model');
    if (typeof body.input !== 'string' || !body.input)
      return invalid("Missing required parameter: 'input'.", 'input');
    if (typeof body.voice !== 'string' && !isObject(body.voice))
      return invalid("Missing required parameter: 'voice'.", 'voice');
    const formatName = typeof body.response_format === 'string' ? body.response_format : 'mp3';
    const format = SPEECH_FORMATS[formatName];
    if (!format)
      return invalid(
        `This test server cannot produce ${formatName}; use mp3, wav or pcm.`,
        'response_format',
      );
    const perChar = streaming.speechSecondsPerChar ?? 0;
    const bytes =
      fault?.kind === 'malformed'
        ? Buffer.from('this is not audio')
        : formatName === 'mp3' && perChar > 0
          ? makeMp3(Math.max(0.3, body.input.length * perChar))
          : format.bytes();
    const factor = streaming.speechRealtimeFactor ?? 0;
    if (factor > 0 && formatName === 'mp3') {
      // MP3 at 128 kbit/s is 16,000 bytes a second of audio: send it at `factor` × real time,
      // in chunks of a tenth of a second of sending.
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': format.contentType, 'transfer-encoding': 'chunked' });
      hung.add(raw);
      const perTick = Math.max(1, Math.round((16_000 * factor) / 10));
      for (let at = 0; at < bytes.length; at += perTick) {
        if (raw.destroyed) return reply;
        raw.write(bytes.subarray(at, at + perTick));
        if (at + perTick < bytes.length) await sleep(100);
      }
      raw.end();
      hung.delete(raw);
      return reply;
    }
    return reply.code(200).type(format.contentType).send(bytes);
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('OpenAI test server: no TCP address');

  return {
    baseURL: `http://127.0.0.1:${address.port}/v1`,
    calls,
    setChatHandler: (handler) => {
      chatHandler = handler ?? defaultChatHandler;
    },
    setTranscriptionHandler: (handler) => {
      transcriptionHandler = handler ?? (() => DEFAULT_TRANSCRIPT);
    },
    setFault: (next) => {
      faults = next ? [{ fault: next, left: next.times ?? Number.POSITIVE_INFINITY }] : [];
    },
    addFault: (next) => {
      faults = faults.filter((f) => f.fault.route !== next.route);
      faults.push({ fault: next, left: next.times ?? Number.POSITIVE_INFINITY });
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setRouteLatency: (route, ms) => {
      if (ms === null) delete routeLatency[route];
      else routeLatency[route] = ms;
    },
    setStreaming: (next) => {
      streaming = { ...streaming, ...next };
    },
    close: async () => {
      for (const response of hung) response.destroy();
      hung.clear();
      await app.close();
    },
  };
}
