/**
 * The pieces that keep Slack's acks fast under a burst: per-turn batching (with
 * per-caller answers), the pipelined replay guard, batched enqueues, after-ack
 * work yielding to pending acks, and the bot's Slack transport.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { routeListeners } from '../../src/bot/listeners/route-listeners.js';
import { PendingAcks } from '../../src/bot/pending-acks.js';
import { redisReplayGuard } from '../../src/bot/replay-guard.js';
import { coalesceCalls } from '../../src/infra/coalesce-calls.js';
import { prepareJobId } from '../../src/infra/queue/jobs/prepare.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { slackFetch } from '../../src/infra/slack/fetch.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';

const prefix = testPrefix();
const producer = createRedis(TEST_REDIS_URL, 'producer');
const queues = new JobQueues(producer, prefix);
afterAll(async () => {
  await queues.close();
  await producer.quit();
  await cleanPrefix(prefix);
});

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
/** Producers have no offline queue: wait until the connection is up. */
const ready = async (redis: ReturnType<typeof createRedis>) => {
  if (redis.status !== 'ready') await once(redis, 'ready');
};

describe('coalesceCalls', () => {
  it('runs the calls of one turn together and answers each caller with its own result', async () => {
    const batches: number[][] = [];
    const double = coalesceCalls(async (xs: number[]) => {
      batches.push(xs);
      return xs.map((x) => (x === 3 ? new Error('three is refused') : x * 2));
    });
    const first = await Promise.allSettled([double(1), double(2), double(3)]);
    const later = await double(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(first).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'fulfilled', value: 4 },
      { status: 'rejected', reason: new Error('three is refused') },
    ]);
    expect(later).toBe(8);
  });

  it('rejects every caller of a batch whose run fails, and splits large turns', async () => {
    const sizes: number[] = [];
    const failing = coalesceCalls(async (xs: number[]) => {
      sizes.push(xs.length);
      throw new Error('database down');
    }, 2);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((x) => failing(x)));
    expect(sizes).toEqual([2, 2, 1]);
    expect(results.every((r) => r.status === 'rejected' && r.reason.message === 'database down')).toBe(true);
  });
});

describe('redisReplayGuard', () => {
  it('lets a signature through once, even when its copies arrive in the same turn', async () => {
    await ready(producer);
    // A generous deadline: this is about the batching, not the deadline (a loaded machine is slow).
    const guard = redisReplayGuard(producer, `${prefix}-sig-`, 10_000);
    expect(await Promise.all([guard('v0=a'), guard('v0=a'), guard('v0=b')])).toEqual([true, false, true]);
    expect(await guard('v0=a')).toBe(false);
    expect(await producer.ttl(`${prefix}-sig-v0=a`)).toBeGreaterThan(300);
  });

  it('lets the request through (fails open) when Redis is not answering', async () => {
    const lost = createRedis(TEST_REDIS_URL, 'producer');
    lost.on('error', () => undefined);
    await ready(lost);
    lost.disconnect();
    const guard = redisReplayGuard(lost, `${prefix}-sig-`);
    expect(await guard('v0=c')).toBe(true);
    expect(await guard('v0=c')).toBe(true);
  });
});

describe('JobQueues.enqueueBatched', () => {
  const payload = () => ({ interviewId: randomUUID(), revision: 1 });

  it('adds the jobs of one turn together; a job id already queued is not added twice', async () => {
    const a = payload();
    const b = payload();
    const jobs = await Promise.all([
      queues.enqueueBatched('prepare', a, { jobId: prepareJobId(a) }),
      queues.enqueueBatched('prepare', b, { jobId: prepareJobId(b) }),
      queues.enqueueBatched('prepare', a, { jobId: prepareJobId(a) }),
    ]);
    expect(jobs.map((j) => j.id)).toEqual([prepareJobId(a), prepareJobId(b), prepareJobId(a)]);
    const stored = await queues.queue('prepare').getJob(prepareJobId(b));
    expect(stored?.data).toEqual(b);
    expect(stored?.opts.attempts).toBeGreaterThan(1); // the catalogue's options apply
    expect(await queues.queue('prepare').count()).toBe(2);
  });

  it('refuses an invalid payload for its caller alone', async () => {
    const good = payload();
    const [bad, ok] = await Promise.allSettled([
      queues.enqueueBatched('prepare', { interviewId: 'not-a-uuid', revision: 0 }, { jobId: 'prepare-bad' }),
      queues.enqueueBatched('prepare', good, { jobId: prepareJobId(good) }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(ok.status).toBe('fulfilled');
  });

  it('gives every caller the same "unavailable" error as enqueue when Redis is not answering', async () => {
    const lost = createRedis(TEST_REDIS_URL, 'producer');
    lost.on('error', () => undefined);
    const down = new JobQueues(lost, prefix);
    await down.queue('prepare').waitUntilReady();
    lost.disconnect();
    const results = await Promise.allSettled(
      [payload(), payload()].map((p) => down.enqueueBatched('prepare', p, { jobId: prepareJobId(p) })),
    );
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'unavailable' });
    }
    await down.close().catch(() => undefined);
  });
});

describe('after-ack work', () => {
  it('waits while a request awaits its ack, then goes', async () => {
    const acks = new PendingAcks();
    const res = new EventEmitter();
    acks.track(res);
    let isDone = false;
    const waiting = acks.yieldToAcks().then(() => {
      isDone = true;
    });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(isDone).toBe(false);
    res.emit('finish');
    res.emit('close'); // counted once
    await waiting;
    expect(isDone).toBe(true);
  });

  it('never waits longer than 500 ms, even when acks keep pending', async () => {
    const acks = new PendingAcks();
    const stuck = new EventEmitter();
    acks.track(stuck);
    const started = performance.now();
    await acks.yieldToAcks();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(495);
    expect(waited).toBeLessThan(1500);
    stuck.emit('close');
  });

  it('lets costly steps go one per turn of the event loop', async () => {
    const acks = new PendingAcks();
    const order: string[] = [];
    const steps = [1, 2, 3].map((n) => acks.takeTurnAfterAcks().then(() => order.push(`step ${n}`)));
    let turns = 0;
    const counting = (async () => {
      while (order.length < 3) {
        await nextTurn();
        order.push(`turn ${++turns}`);
      }
    })();
    await Promise.all([...steps, counting]);
    const stepPositions = order.flatMap((e, i) => (e.startsWith('step') ? [i] : []));
    // Never two steps without a turn between them.
    expect(stepPositions[1]! - stepPositions[0]!).toBeGreaterThan(1);
    expect(stepPositions[2]! - stepPositions[1]!).toBeGreaterThan(1);
  });
});

describe('slackFetch', () => {
  it('posts the body with its headers and reads status, headers and text', async () => {
    const seen: Array<{ method?: string; type?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], body });
        if (req.url === '/moved') {
          res.writeHead(302, { location: 'https://elsewhere.example/' });
          res.end();
          return;
        }
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        res.end('{"ok":false,"error":"ratelimited"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await slackFetch(`${base}/api/views.open`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'view=%7B%7D&trigger_id=1.2.3',
        redirect: 'error',
      });
      expect(res.status).toBe(429);
      expect(res.ok).toBe(false);
      expect(res.headers.get('Retry-After')).toBe('3');
      expect(res.headers.get('x-missing')).toBeNull();
      expect(Object.fromEntries(res.headers.entries())['content-type']).toBe('application/json');
      expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
      expect(seen[0]).toEqual({
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        body: 'view=%7B%7D&trigger_id=1.2.3',
      });
      // WebClient asks never to follow a redirect (it would resend the token elsewhere).
      await expect(
        slackFetch(`${base}/moved`, { method: 'POST', body: '', redirect: 'error' }),
      ).rejects.toThrow(/redirect/);
      const aborted = new AbortController();
      aborted.abort(new Error('timed out'));
      await expect(
        slackFetch(`${base}/x`, { method: 'POST', body: '', signal: aborted.signal }),
      ).rejects.toThrow('timed out');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('routeListeners', () => {
  it("keeps Bolt's matching: exact ids, patterns, an id registered twice, unknown ids left unacked", async () => {
    const app = new App({
      token: 'xoxb-test',
      // Known bot ids: Bolt then never calls auth.test.
      botId: 'B_TEST',
      botUserId: 'U_BOT',
      tokenVerificationEnabled: false,
      receiver: { init: () => undefined, start: async () => undefined, stop: async () => undefined },
    });
    const calls: string[] = [];
    routeListeners(app, (r) => {
      r.command('/alpha', async ({ ack }) => {
        calls.push('alpha');
        await ack();
      });
      r.command(/^\/be/, async ({ ack }) => {
        calls.push('pattern');
        await ack();
      });
      r.action('go', async ({ ack }) => {
        calls.push('go 1');
        await ack();
      });
      r.action('go', async () => {
        calls.push('go 2');
      });
      r.options({ action_id: 'pick' }, async ({ ack }) => {
        calls.push('pick');
        await ack({ options: [] });
      });
      r.view('form', async ({ ack }) => {
        calls.push('form');
        await ack();
      });
    });
    const send = async (body: Record<string, unknown>) => {
      let acked = false;
      await app.processEvent({
        body,
        ack: async () => {
          acked = true;
        },
      });
      return acked;
    };
    const user = { id: 'U1' };
    expect(await send({ command: '/alpha', text: '', user_id: 'U1', channel_id: 'C1', team_id: 'T1' })).toBe(
      true,
    );
    expect(await send({ command: '/beta', text: '', user_id: 'U1', channel_id: 'C1', team_id: 'T1' })).toBe(
      true,
    );
    expect(await send({ command: '/gamma', text: '', user_id: 'U1', channel_id: 'C1', team_id: 'T1' })).toBe(
      false,
    );
    expect(
      await send({
        type: 'block_actions',
        user,
        team: { id: 'T1' },
        actions: [{ action_id: 'go', block_id: 'b' }],
      }),
    ).toBe(true);
    expect(
      await send({
        type: 'block_suggestion',
        user,
        team: { id: 'T1' },
        action_id: 'pick',
        block_id: 'b',
        value: '',
      }),
    ).toBe(true);
    expect(
      await send({ type: 'view_submission', user, team: { id: 'T1' }, view: { callback_id: 'form' } }),
    ).toBe(true);
    expect(await send({ type: 'view_closed', user, team: { id: 'T1' }, view: { callback_id: 'form' } })).toBe(
      false,
    );
    expect(
      await send({ type: 'view_submission', user, team: { id: 'T1' }, view: { callback_id: 'other' } }),
    ).toBe(false);
    // Bolt starts all matching listeners together; which 'go' starts first is not kept.
    expect(calls.sort()).toEqual(['alpha', 'form', 'go 1', 'go 2', 'pattern', 'pick']);
  });
});
