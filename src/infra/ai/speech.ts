/**
 * Speech through the OpenAI-compatible API: speech-to-text for answers and
 * text-to-speech for questions. Both are bounded; callers fall back (typed
 * answers, the browser's own speech synthesis) when they throw.
 */
import { toFile } from 'openai';
import type { TAi } from './client.js';

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

export async function transcribe(ai: TAi, audio: Buffer, mime: string, language?: string): Promise<string> {
  const file = await toFile(audio, `answer.${audioExtension(mime)}`, { type: mime.split(';')[0] });
  const result = await ai.client.audio.transcriptions.create(
    { file, model: ai.sttModel, ...(language ? { language } : {}) },
    { timeout: Math.min(ai.timeoutMs, 60_000), maxRetries: 2 },
  );
  return (result.text ?? '').trim();
}

export type TSpeech = { audio: Buffer; mime: string };

export async function synthesize(ai: TAi, text: string): Promise<TSpeech> {
  const response = await ai.client.audio.speech.create(
    { model: ai.ttsModel, voice: ai.ttsVoice as 'alloy', input: text.slice(0, 4000), response_format: 'mp3' },
    { timeout: Math.min(ai.timeoutMs, 15_000), maxRetries: 1 },
  );
  const audio = Buffer.from(await response.arrayBuffer());
  return { audio, mime: response.headers.get('content-type')?.split(';')[0] || 'audio/mpeg' };
}
