/**
 * Rate limit for wrong candidate keys, per client address, kept in Redis so
 * every portal process sees the same count. Only misses count: a candidate
 * reloading a valid link is never limited, a prober is after a few guesses.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';

const MISS_LIMIT = 10;
const MISS_WINDOW_SECONDS = 15 * 60;

export class KeyGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly limit = MISS_LIMIT,
  ) {}

  private key(ip: string): string {
    return `${this.prefix}:portal-key-miss:${ip}`;
  }

  /** True while this address has used up its misses. Fails open when Redis is down (logged). */
  async isBlocked(ip: string): Promise<boolean> {
    try {
      const n = Number((await this.redis.get(this.key(ip))) ?? 0);
      return n >= this.limit;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'key guard unavailable');
      return false;
    }
  }

  async recordMiss(ip: string): Promise<void> {
    try {
      const k = this.key(ip);
      const n = await this.redis.incr(k);
      if (n === 1) await this.redis.expire(k, MISS_WINDOW_SECONDS);
      if (n === this.limit) this.logger.warn({ ip }, 'candidate key probing: address blocked for a while');
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'key guard unavailable');
    }
  }
}
