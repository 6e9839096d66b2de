/**
 * Speech through the OpenAI-compatible API: speech-to-text for answers and
 * text-to-speech for questions. Every call has a deadline; callers retry once
 * and then fall back (background transcription, the browser's own speech).
 */
import { toFile } from 'openai';
import { sttOf, type TAi, ttsOf } from './client.js';

const EXTENSIONS: Record<string, string> = {
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
};

/** The file extension speech-to-text servers use to pick a decoder. */
function audioExtension(mime: string): string {
  return EXTENSIONS[mime.split(';')[0]?.trim().toLowerCase() ?? ''] ?? 'webm';
}

export class NoSpeechServerError extends Error {
  constructor(what: 'speech-to-text' | 'text-to-speech') {
    super(`no ${what} server is configured`);
    this.name = 'NoSpeechServerError';
  }
}

/**
 * Transcribes one audio file. `timeoutMs` bounds this one attempt (no SDK retry:
 * the caller decides about retrying, within its own deadline).
 */
export async function transcribe(
  ai: TAi,
  audio: Uint8Array,
  mime: string,
  opts: { language?: string; timeoutMs?: number; signal?: AbortSignal; prompt?: string } = {},
): Promise<string> {
  const stt = sttOf(ai);
  if (!stt) throw new NoSpeechServerError('speech-to-text');
  const file = await toFile(audio, `answer.${audioExtension(mime)}`, { type: mime.split(';')[0] });
  const result = await stt.client.audio.transcriptions.create(
    {
      file,
      model: stt.model,
      ...(opts.language ? { language: opts.language } : {}),
      // The words so far help the model across a piece boundary (whisper's `prompt`).
      ...(opts.prompt ? { prompt: opts.prompt.slice(-400) } : {}),
    },
    {
      timeout: opts.timeoutMs ?? Math.min(ai.timeoutMs, 60_000),
      maxRetries: opts.timeoutMs === undefined ? 2 : 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
  return (result.text ?? '').trim();
}

export type TSpeech = { audio: Buffer; mime: string };

/** The whole spoken form of `text` (for the cache). */
export async function synthesize(ai: TAi, text: string, opts: { timeoutMs?: number } = {}): Promise<TSpeech> {
  const tts = ttsOf(ai);
  if (!tts) throw new NoSpeechServerError('text-to-speech');
  const response = await tts.client.audio.speech.create(
    { model: tts.model, voice: ai.ttsVoice as 'alloy', input: text.slice(0, 4000), response_format: 'mp3' },
    { timeout: opts.timeoutMs ?? Math.min(ai.timeoutMs, 15_000), maxRetries: 1 },
  );
  const audio = Buffer.from(await response.arrayBuffer());
  return { audio, mime: response.headers.get('content-type')?.split(';')[0] || 'audio/mpeg' };
}

/**
 * Starts speech for `text` and resolves once its first bytes are there (within
 * `firstByteMs`), with the rest as an async iterator of chunks as the server streams them.
 * `signal` stops it (barge-in). MP3 so the browser's MediaSource plays it as it arrives.
 */
export async function synthesizeStream(
  ai: TAi,
  text: string,
  opts: { firstByteMs: number; signal?: AbortSignal },
): Promise<{ mime: string; chunks: AsyncIterable<Uint8Array> }> {
  const tts = ttsOf(ai);
  if (!tts) throw new NoSpeechServerError('text-to-speech');
  const firstByte = new AbortController();
  const timer = setTimeout(
    () => firstByte.abort(new Error(`no speech within ${opts.firstByteMs} ms`)),
    opts.firstByteMs,
  );
  const signal = opts.signal ? AbortSignal.any([opts.signal, firstByte.signal]) : firstByte.signal;
  try {
    const response = await tts.client.audio.speech.create(
      { model: tts.model, voice: ai.ttsVoice as 'alloy', input: text.slice(0, 4000), response_format: 'mp3' },
      { maxRetries: 0, signal, timeout: opts.firstByteMs + 30_000 },
    );
    const mime = response.headers.get('content-type')?.split(';')[0] || 'audio/mpeg';
    if (!response.body) throw new Error('text-to-speech answered without a body');
    const reader = response.body.getReader();
    const first = await reader.read();
    clearTimeout(timer);
    const chunks = (async function* () {
      try {
        if (!first.done && first.value) yield first.value;
        for (;;) {
          const next = await reader.read();
          if (next.done) return;
          if (next.value) yield next.value;
        }
      } finally {
        reader.releaseLock();
        await response.body?.cancel().catch(() => undefined);
      }
    })();
    return { mime, chunks };
  } finally {
    clearTimeout(timer);
  }
}
