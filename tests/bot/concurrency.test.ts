/**
 * The promise: no overbooking at any concurrency, across processes. 200 bookings
 * race for a slot of capacity 5, consumed by two separate worker processes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { startSlackApiServer } from '../../tools/slack-emulator/server.js';
import { submitBooking } from '../helpers/booking.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { startNode, type TChild } from '../helpers/processes.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';

let db: TTestDb;
let slack: Awaited<ReturnType<typeof startSlackApiServer>>;
const prefix = testPrefix();
const producer = createRedis(TEST_REDIS_URL, 'producer');
const queues = new JobQueues(producer, prefix);
const children: TChild[] = [];

beforeAll(async () => {
  db = await createTestDb();
  slack = await startSlackApiServer({ token: 'xoxb-test-token' });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await queues.close();
  producer.disconnect();
  await slack.close();
  await cleanPrefix(prefix);
  await db.drop();
});

describe('booking under concurrency', () => {
  it('200 concurrent bookings for a slot of capacity 5, from two worker processes → exactly 5 interviews', async () => {
    const { role, slots } = await seed(db, [{ startsAt: new Date(Date.now() + 86_400_000), capacity: 5 }]);
    const slot = slots[0]!;
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
      SLACK_API_URL: slack.url,
      WORKER_CONCURRENCY: '8',
    };
    children.push(
      ...(await Promise.all([
        startNode('tests/helpers/worker-process.ts', ['booking'], env),
        startNode('tests/helpers/worker-process.ts', ['booking'], env),
      ])),
    );
    const ids = Array.from({ length: 200 }, (_, i) => `race-${i}-${randomBytes(4).toString('hex')}`);
    await Promise.all(
      ids.map((id, i) =>
        submitBooking(db.prisma, queues, {
          id,
          slotId: slot.id,
          roleId: role.id,
          candidate: { name: `Candidate ${i}`, email: `c${i}@example.com`, timeZone: 'UTC' },
        }),
      ),
    );
    const q = queues.queue('booking');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const c = await q.getJobCounts('completed', 'failed');
      if (c.completed! + c.failed! >= 200) break;
      if (Date.now() > deadline) throw new Error(`not done: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const completed = await q.getCompleted(0, 300);
    const outcomes = completed.reduce<Record<string, number>>((acc, j) => {
      acc[String(j.returnvalue)] = (acc[String(j.returnvalue)] ?? 0) + 1;
      return acc;
    }, {});
    expect(await q.getFailedCount()).toBe(0);
    expect(outcomes).toEqual({ booked: 5, unavailable: 195 });
    expect(await db.prisma.interview.count({ where: { slotId: slot.id } })).toBe(5);
    expect((await db.prisma.slot.findUniqueOrThrow({ where: { id: slot.id } })).seatsTaken).toBe(5);
    // Both processes took part in the race.
    const perProcess = [];
    for (const child of children.splice(0)) {
      await child.stop();
      perProcess.push(Number(/processed=(\d+)/.exec(child.output())?.[1] ?? 0));
    }
    expect(perProcess.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.min(...perProcess)).toBeGreaterThan(0);
  }, 90_000);
});
