/**
 * The OpenAI-compatible client (OpenAI or any server that speaks its API).
 * undefined when no model is configured: callers fall back to the built-in
 * interviewer and say that no AI evaluation is available.
 */
import OpenAI from 'openai';
import type { TConfig } from '../../config.js';

export type TAi = {
  client: OpenAI;
  chatModel: string;
  sttModel: string;
  ttsModel: string;
  ttsVoice: string;
  timeoutMs: number;
};

export function createAi(config: TConfig['ai']): TAi | undefined {
  if (!config.baseUrl) return undefined;
  return {
    client: new OpenAI({
      baseURL: config.baseUrl,
      // Self-hosted servers often need no key; the SDK insists on a string.
      apiKey: config.apiKey ?? 'unused',
      timeout: config.timeoutMs,
      maxRetries: 2,
    }),
    chatModel: config.chatModel,
    sttModel: config.sttModel,
    ttsModel: config.ttsModel,
    ttsVoice: config.ttsVoice,
    timeoutMs: config.timeoutMs,
  };
}
