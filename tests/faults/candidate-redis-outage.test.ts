/**
 * Fault 2, the candidate's side: Redis stops (SIGKILL) while a candidate answers in the
 * live interview (`main.ts portal`, WebSocket). Promises: every answer is saved and the
 * interview goes on (answers live in PostgreSQL, not in the queue); finishing while the
 * queue is away says so instead of losing the evaluation; once Redis is back, the same
 * finish queues exactly one evaluation.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateSessionKey, hashSessionKey } from '../../src/domain/session-key.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { testPrefix } from '../helpers/redis.js';
import { startApp, type TAppProcess } from './support/app.js';
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

type TMsg = Record<string, unknown> & { type: string };

async function openRoom(url: string, key: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/interview/ws`);
  const inbox: TMsg[] = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString()) as TMsg));
  await new Promise((r) => ws.once('open', r));
  let n = 0;
  const send = (m: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, id: `m${++n}`, ...m }));
  const next = async (type: string, timeoutMs = 5000): Promise<TMsg> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(inbox)}`);
      await sleep(20);
    }
  };
  send({ type: 'hello', key });
  return { ws, send, next };
}

async function createInterview(questions: string[]) {
  const start = new Date(Date.now() - 60_000);
  const role = await db.prisma.role.create({
    data: {
      title: 'Backend Engineer',
      competencies: [{ key: 'design', name: 'Design', description: 'Designs' }],
    },
  });
  const slot = await db.prisma.slot.create({
    data: { startsAt: start, durationMinutes: 30, capacity: 1, seatsTaken: 1, timeZone: 'UTC' },
  });
  const candidate = await db.prisma.candidate.create({
    data: { name: 'Ada Lovelace', email: 'ada@example.test', timeZone: 'Europe/London' },
  });
  const key = generateSessionKey();
  const interview = await db.prisma.interview.create({
    data: {
      status: 'scheduled',
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slot.id,
      scheduledStart: start,
      scheduledEnd: new Date(start.getTime() + 30 * 60_000),
      sessionKeyHash: hashSessionKey(key),
      bookingRequestId: `req-${randomBytes(6).toString('hex')}`,
      recruiterSlackUser: 'U_RECRUITER',
      slackChannelId: 'C_RECRUITING',
      questionPlan: questions.map((text) => ({ text, competency: null })),
      planPreparedAt: new Date(),
    },
  });
  return { id: interview.id, key };
}

describe('Redis outage during a live interview', () => {
  it(`keeps every answer through a ${OUTAGE_MS / 1000} s outage and queues one evaluation after`, async () => {
    const questions = ['Q one?', 'Q two?', 'Q three?', 'Q four?', 'Q five?'];
    const { id, key } = await createInterview(questions);
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
