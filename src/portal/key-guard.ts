/**
 * Rate limit for wrong candidate keys, per client address (the real one: see TRUST_PROXY in
 * docs/deploy.md), kept in Redis so every portal process sees the same count.
 *
 * Only wrong keys are counted, and only they are ever limited: a key is looked up first, and a
 * valid key is served without asking Redis at all. So a candidate always gets in with their link,
 * from any address, whatever a prober did from it, and whether Redis answers or not.
 *
 * While Redis does not answer (down, or stalled: every call has a 700 ms deadline), a wrong key is
 * answered as limited: it fails closed. A prober gets nothing from an outage, and the people this
 * can touch are those holding a wrong link, who get "wait a few minutes" instead of "not valid".
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';

const MISS_LIMIT = 10;
const MISS_WINDOW_SECONDS = 15 * 60;
const REDIS_DEADLINE_MS = 700;

export class KeyGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly limit = MISS_LIMIT,
    /** What is counted (one guard per kind: candidate keys, admin passwords). */
    private readonly kind = 'portal-key-miss',
  ) {}

  private key(ip: string): string {
    return `${this.prefix}:${this.kind}:${ip}`;
  }

  /**
   * Counts a wrong key from `ip`; true when that address is over the limit (answer 429). True as
   * well when Redis cannot count it within its deadline (fails closed, logged).
   */
  async miss(ip: string): Promise<boolean> {
    const k = this.key(ip);
    let timer: NodeJS.Timeout | undefined;
    try {
      const counted = this.redis
        .multi()
        .set(k, '0', 'EX', MISS_WINDOW_SECONDS, 'NX')
        .incr(k)
        .exec()
        .then((replies) => Number(replies?.[1]?.[1] ?? Number.NaN));
      const n = await Promise.race([
        counted,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), REDIS_DEADLINE_MS);
        }),
      ]);
      if (!Number.isFinite(n)) throw new Error('Redis gave no count');
      if (n === this.limit) this.logger.warn({ kind: this.kind }, 'wrong-key limit reached for an address');
      return n > this.limit;
    } catch (err) {
      this.logger.warn(
        { kind: this.kind, err: { message: (err as Error).message } },
        'wrong-key limiter unavailable: answering as limited',
      );
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while `ip` is over the limit, without counting (false if Redis does not answer in time). */
  async isLimited(ip: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const n = await Promise.race([
        this.redis.get(this.key(ip)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), REDIS_DEADLINE_MS);
        }),
      ]);
      return Number(n ?? 0) > this.limit;
    } catch {
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
