/**
 * The Slack receiver's replay guard in Redis: a signed request seen before is a
 * replay (Slack's own retries carry new signatures). Each signature is claimed
 * with SET NX for 6 minutes, longer than Bolt's 5-minute timestamp window.
 */
import type { Redis } from 'ioredis';
import { coalesceCalls } from '../infra/coalesce-calls.js';
import type { TReplayGuard } from './receiver.js';

const TTL_SECONDS = 6 * 60;
/**
 * A check that Redis has not answered in this long lets the request through (fails open): the
 * signature and its 5-minute timestamp are still verified, a replayed submission books nothing
 * twice (its booking request id is the same), and Slack must get its answer within 3 s. Failing
 * closed would turn a Redis stall into Slack outage for every recruiter.
 */
export const REPLAY_CHECK_DEADLINE_MS = 250;

/**
 * Checks arriving in the same turn of the event loop (a burst of Slack requests)
 * go to Redis as one pipeline: one write and one read instead of a round trip
 * each. Every signature keeps its own answer; two copies of one request in the
 * same batch still let only the first through.
 */
export function redisReplayGuard(
  redis: Redis,
  keyPrefix: string,
  deadlineMs = REPLAY_CHECK_DEADLINE_MS,
): TReplayGuard {
  const check = coalesceCalls(async (signatures: string[]) => {
    const pipeline = redis.pipeline();
    for (const sig of signatures) pipeline.set(`${keyPrefix}${sig}`, '1', 'EX', TTL_SECONDS, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    return signatures.map((_, i) => {
      const [err, reply] = replies[i] ?? [new Error('Redis gave no reply'), null];
      return err ?? reply === 'OK';
    });
  });
  return async (signature) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), deadlineMs);
    });
    try {
      return await Promise.race([check(signature).catch(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
