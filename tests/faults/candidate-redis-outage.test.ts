/**
 * Fault 2, the candidate's side: Redis stops (SIGKILL) while a candidate answers in the
 * live interview (`main.ts portal`, WebSocket). Promises: every answer is saved and the
 * interview goes on (answers live in PostgreSQL, not in the queue); finishing while the
 * queue is away says so instead of losing the evaluation; once Redis is back, the same
 * finish queues exactly one evaluation.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { testPrefix } from '../helpers/redis.js';
import { startApp, type TAppProcess } from './support/app.js';
import { createInterview, openRoom, type TMsg } from './support/portal.js';
import { record } from './support/report.js';
import { FAULT_SCALE, sleep, startPrivateRedis, type TPrivateRedis } from './support/services.js';
import { startSlackPeer, type TSlackPeer } from './support/slack-peer.js';

const OUTAGE_MS = Math.round(30_000 * FAULT_SCALE);
const prefix = testPrefix();
let redis: TPrivateRedis;
let db: TTestDb;
let slack: TSlackPeer;
let portal: TAppProcess;

beforeAll(async () => {
  [redis, db, slack] = await Promise.all([startPrivateRedis(), createTestDb(), startSlackPeer()]);
  portal = await startApp(['portal'], {
    databaseUrl: db.url,
    redisUrl: redis.url,
    prefix,
    slackApiUrl: slack.url,
  });
});

afterAll(async () => {
  await portal?.stop('SIGKILL');
  await slack?.close();
  await redis?.close();
  await db?.drop();
});

describe('Redis outage during a live interview', () => {
  it(`keeps every answer through a ${OUTAGE_MS / 1000} s outage and queues one evaluation after`, async () => {
    const questions = ['Q one?', 'Q two?', 'Q three?', 'Q four?', 'Q five?'];
    const { id, key } = await createInterview(db, questions);
    const room = await openRoom(portal.url, key);
    await room.next('state');
    room.send({ type: 'start', consent: true });
    await room.next('question');
    const answer = async (seq: number) => {
      const started = performance.now();
      room.send({
        type: 'answer',
        seq,
        clientId: `client-${seq}-${randomBytes(4).toString('hex')}`,
        text: `Answer ${seq}.`,
        mode: 'typed',
      });
      const q = await room.next('question', 10_000);
      return { ms: performance.now() - started, seq: (q.turn as { seq: number }).seq };
    };
    expect((await answer(0)).seq).toBe(1);

    await redis.kill();
    const down = Date.now();
    const during: number[] = [];
    for (const seq of [1, 2, 3]) {
      const r = await answer(seq);
      expect(r.seq).toBe(seq + 1);
      during.push(r.ms);
      await sleep(OUTAGE_MS / 4);
    }
    // Finishing needs the queue (the evaluation): the candidate is told, the interview is over.
    room.send({ type: 'finish' });
    const err = await room.next('error', 5000);
    expect(err).toMatchObject({ code: 'unavailable' });
    expect((await db.prisma.interview.findUniqueOrThrow({ where: { id } })).status).toBe('completed');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));

    await redis.start();
    const up = Date.now();
    // The page tries again; once the portal has reconnected, the finish goes through.
    let done: TMsg | undefined;
    while (!done) {
      room.send({ type: 'finish' });
      done = await room.next('completed', 1000).catch(() => undefined);
      if (Date.now() - up > 15_000) throw new Error('finish still refused 15 s after Redis returned');
    }
    const recoveredMs = Date.now() - up;
    room.ws.close();
    const turns = await db.prisma.interviewTurn.findMany({
      where: { interviewId: id },
      orderBy: { seq: 'asc' },
    });
    expect(turns.filter((t) => t.answerText !== null).map((t) => t.answerText)).toEqual([
      'Answer 0.',
      'Answer 1.',
      'Answer 2.',
      'Answer 3.',
    ]);
    const queues = new JobQueues(createRedis(redis.url, 'producer'), prefix);
    const jobs = (await queues.queue('evaluation').getJobs()).filter((j) => j.data.interviewId === id);
    await queues.close();
    queues.connection.disconnect();
    expect(jobs).toHaveLength(1);
    record('redis-outage-candidate', {
      outageSeconds: OUTAGE_MS / 1000,
      answersDuringOutage: during.length,
      maxAnswerToNextQuestionMs: Math.round(Math.max(...during)),
      answersLost: 0,
      evaluationsQueued: jobs.length,
      finishAcceptedAfterRestartMs: recoveredMs,
    });
  });
});
