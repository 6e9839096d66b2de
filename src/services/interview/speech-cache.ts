/**
 * Spoken questions, made ahead of time and kept where every portal process
 * finds them (Redis, with a TTL): the greeting and first question while the
 * candidate is in the lobby, the next planned question while the candidate is
 * still answering. The "next question" path then needs no synthesis once the
 * answer ends. Keyed by a hash of model, voice and text (questions repeat across
 * interviews, so one synthesis serves many rooms). One synthesis per text at a
 * time in this process; two processes may both make it once, which is harmless.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type TAi, ttsOf } from '../../infra/ai/client.js';
import { synthesize } from '../../infra/ai/speech.js';
import type { Logger } from '../../infra/logger.js';

const SPEECH_TTL_S = 2 * 60 * 60;
const REDIS_DEADLINE_MS = 2_000;

export class SpeechCache {
  private readonly making = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ai: TAi | undefined,
    private readonly logger: Logger,
  ) {}

  private key(text: string): string | null {
    const tts = ttsOf(this.ai);
    if (!tts || !this.ai) return null;
    const h = createHash('sha256').update(`${tts.model}\n${this.ai.ttsVoice}\n${text}`).digest('hex');
    return `${this.prefix}:speech:${h.slice(0, 40)}`;
  }

  /** The cached speech for `text`, or null (also when Redis is slow: the caller synthesizes). */
  async get(text: string): Promise<{ mime: string; audio: Buffer } | null> {
    const key = this.key(text);
    if (!key) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        this.redis.getBuffer(key),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), REDIS_DEADLINE_MS);
        }),
      ]);
      if (!value || value.length < 2) return null;
      const mimeLength = value.readUInt8(0);
      return {
        mime: value.subarray(1, 1 + mimeLength).toString('latin1'),
        audio: value.subarray(1 + mimeLength),
      };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async put(text: string, speech: { mime: string; audio: Uint8Array }): Promise<void> {
    const key = this.key(text);
    if (!key) return;
    const mime = Buffer.from(speech.mime.slice(0, 100), 'latin1');
    const value = Buffer.concat([Buffer.from([mime.length]), mime, Buffer.from(speech.audio)]);
    await this.redis.set(key, value, 'EX', SPEECH_TTL_S).catch(() => undefined);
  }

  /** Makes and caches the speech for `text` unless it is cached; never throws. */
  prepare(text: string): Promise<void> {
    const ai = this.ai;
    const key = this.key(text);
    if (!ai || !key || text.trim() === '') return Promise.resolve();
    const running = this.making.get(key);
    if (running) return running;
    const job = (async () => {
      if ((await this.redis.exists(key).catch(() => 0)) === 1) return;
      const speech = await synthesize(ai, text, { timeoutMs: 20_000 });
      await this.put(text, speech);
    })()
      .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'speech not prepared'))
      .finally(() => this.making.delete(key));
    this.making.set(key, job);
    return job;
  }
}
