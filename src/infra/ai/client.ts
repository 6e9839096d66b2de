/**
 * The OpenAI-compatible clients (OpenAI or any server that speaks its API).
 * undefined when no model is configured: callers fall back to the built-in
 * interviewer and say that no AI evaluation is available. Speech-to-text and
 * text-to-speech may be other servers than chat (Ollama serves chat but no
 * audio): `stt` / `tts` are then their own clients, or null when there is none.
 */
import OpenAI from 'openai';
import type { TConfig } from '../../config.js';

export type TAudioClient = { client: OpenAI; model: string };

export type TAi = {
  client: OpenAI;
  chatModel: string;
  sttModel: string;
  ttsModel: string;
  ttsVoice: string;
  timeoutMs: number;
  /** undefined: the chat client serves speech-to-text; null: no speech-to-text server. */
  stt?: TAudioClient | null;
  /** undefined: the chat client serves text-to-speech; null: no text-to-speech server. */
  tts?: TAudioClient | null;
};

function openAi(baseURL: string, apiKey: string | undefined, timeoutMs: number): OpenAI {
  // Self-hosted servers often need no key; the SDK insists on a string.
  return new OpenAI({ baseURL, apiKey: apiKey ?? 'unused', timeout: timeoutMs, maxRetries: 2 });
}

export function createAi(config: TConfig['ai']): TAi | undefined {
  if (!config.baseUrl) return undefined;
  const client = openAi(config.baseUrl, config.apiKey, config.timeoutMs);
  const audio = (server: TConfig['ai']['stt'], model: string): TAudioClient | null => {
    if (!server) return null;
    if (server.baseUrl === config.baseUrl && server.apiKey === config.apiKey) return { client, model };
    return { client: openAi(server.baseUrl, server.apiKey, config.timeoutMs), model };
  };
  return {
    client,
    chatModel: config.chatModel,
    sttModel: config.sttModel,
    ttsModel: config.ttsModel,
    ttsVoice: config.ttsVoice,
    timeoutMs: config.timeoutMs,
    stt: config.stt === undefined ? undefined : audio(config.stt, config.sttModel),
    tts: config.tts === undefined ? undefined : audio(config.tts, config.ttsModel),
  };
}

/** The speech-to-text client, or null when voice answers cannot be transcribed. */
export function sttOf(ai: TAi | undefined): TAudioClient | null {
  if (!ai) return null;
  return ai.stt === undefined ? { client: ai.client, model: ai.sttModel } : ai.stt;
}

/** The text-to-speech client, or null when the browser must speak. */
export function ttsOf(ai: TAi | undefined): TAudioClient | null {
  if (!ai) return null;
  return ai.tts === undefined ? { client: ai.client, model: ai.ttsModel } : ai.tts;
}
