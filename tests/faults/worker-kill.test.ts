/**
 * Fault 1: a worker process (`main.ts worker`) is SIGKILLed in the middle of a job; a
 * new worker takes the job over. (A booking's Slack posts run in its notify job, queued
 * by the booking job once the seat is decided: that is the job the kill interrupts.) Promises: one seat, one confirmation in Slack, one
 * evaluation post, whatever moment the worker died at.
 *
 * BullMQ notices a dead worker's job when its lock (30 s) has expired and the stalled
 * check (every 30 s) runs; the test expires both keys at once instead of waiting.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TJobName } from '../../src/infra/queue/catalogue.js';
import { enqueueEvaluation, evaluationJobId } from '../../src/infra/queue/jobs/evaluation.js';
import { notifyJobId } from '../../src/infra/queue/jobs/notify.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { GOOD_TURNS, scriptedModel, seedInterview, type THarness } from '../evaluation/harness.js';
import { submitBooking } from '../helpers/booking.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { type OpenAiServer, startOpenAiServer } from '../helpers/openai-server.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { seed } from '../helpers/stack.js';
import { startApp, type TAppEnv, type TAppProcess } from './support/app.js';
import { record } from './support/report.js';
import { CHANNEL, RECRUITER, startSlackPeer, TOKEN, type TSlackPeer } from './support/slack-peer.js';

let db: TTestDb;
let slack: TSlackPeer;
let openai: OpenAiServer;
let env: TAppEnv;
let queues: JobQueues;
let redis: Redis;
const prefix = testPrefix();
const workers: TAppProcess[] = [];

beforeAll(async () => {
  [db, slack, openai] = await Promise.all([createTestDb(), startSlackPeer(), startOpenAiServer()]);
  openai.setChatHandler(scriptedModel({ scores: { system_design: 3, communication: 4 } }));
  env = {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
    openAiUrl: openai.baseURL,
  };
  redis = createRedis(TEST_REDIS_URL, 'plain');
  queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
});

afterAll(async () => {
  slack.hook.before = undefined;
  slack.hook.after = undefined;
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await queues.close();
  queues.connection.disconnect();
  redis.disconnect();
  await Promise.all([slack.close(), openai.close()]);
  await cleanPrefix(prefix);
  await db.drop();
});

// Each case runs against its own workers only.
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
});

async function startWorker(): Promise<TAppProcess> {
  const w = await startApp(['worker'], env);
  workers.push(w);
  return w;
}

/** What BullMQ would see 30 s later: the dead worker's lock gone and a stalled check due. */
async function expireLock(queue: TJobName, id: string): Promise<void> {
  await redis.del(`${prefix}:${queue}:${id}:lock`, `${prefix}:${queue}:stalled-check`);
}

async function waitForState(queue: TJobName, id: string, state: string, timeoutMs = 40_000) {
  await expect
    .poll(async () => (await queues.queue(queue).getJob(id))?.getState(), {
      timeout: timeoutMs,
      interval: 100,
    })
    .toBe(state);
}

async function enqueueBooking(slotId: string, roleId: string, email: string, name = 'Kim Lee') {
  const { jobId } = await submitBooking(db.prisma, queues, {
    id: `kill-${randomBytes(6).toString('hex')}`,
    slotId,
    roleId,
    candidate: { name, email, timeZone: 'Europe/Berlin' },
    recruiter: { userId: RECRUITER },
    channelId: CHANNEL,
  });
  return jobId;
}

const notifyIdOf = (interviewId: string) => notifyJobId('', { outcome: 'booked', interviewId, revision: 1 });

const rootsFor = (name: string) => slack.emulator.messagesIn(CHANNEL).filter((m) => m.text.includes(name));

describe('a worker killed mid-job', () => {
  it('booking: killed while its Slack post is in flight → one seat, one confirmation, one email job', async () => {
    const { role, slots } = await seed(db, [{ startsAt: new Date(Date.now() + 86_400_000), capacity: 3 }]);
    const slot = slots[0]!;
    const w1 = await startWorker();
    let drop!: (err: Error) => void;
    const held = new Promise<void>((_, reject) => {
      drop = reject;
    });
    let reached!: () => void;
    const reachedPost = new Promise<void>((r) => {
      reached = r;
    });
    slack.hook.before = (m) => {
      if (m !== 'chat.postMessage') return;
      reached();
      return held;
    };
    const id = await enqueueBooking(slot.id, role.id, 'kim@example.com');
    await reachedPost;
    await w1.stop('SIGKILL');
    slack.hook.before = undefined;
    // The connection died with the worker: Slack never got the post.
    drop(new Error('client gone'));
    // The seat was taken and the interview stored before the post: the crash left it half-told.
    expect(await db.prisma.interview.count({ where: { slotId: slot.id } })).toBe(1);
    expect(rootsFor('Kim Lee')).toHaveLength(0);

    // The booking job decided and handed the Slack post to its notify job, which died with the worker.
    await waitForState('booking', id, 'completed');
    const booked = await db.prisma.interview.findFirstOrThrow({ where: { slotId: slot.id } });
    const notifyId = notifyIdOf(booked.id);
    const killedAt = Date.now();
    await expireLock('notify', notifyId);
    await startWorker();
    await waitForState('notify', notifyId, 'completed');
    const recoveryMs = Date.now() - killedAt;
    expect(await db.prisma.interview.count({ where: { slotId: slot.id } })).toBe(1);
    expect((await db.prisma.slot.findUniqueOrThrow({ where: { id: slot.id } })).seatsTaken).toBe(1);
    expect(rootsFor('Kim Lee')).toHaveLength(1);
    const interview = await db.prisma.interview.findFirstOrThrow({ where: { slotId: slot.id } });
    expect(interview.slackThreadTs).toBe(rootsFor('Kim Lee')[0]!.ts);
    const emailJobs = (await queues.queue('email').getJobs()).filter(
      (j) => j.data.interviewId === interview.id,
    );
    expect(emailJobs).toHaveLength(1);
    record('worker-kill-booking-held', { lost: 0, duplicates: 0, recoveryMs });
  });

  it('booking: killed right after Slack accepted its post, before the ts was stored → still one confirmation', async () => {
    const { role, slots } = await seed(db, [
      { startsAt: new Date(Date.now() + 2 * 86_400_000), capacity: 3 },
    ]);
    const slot = slots[0]!;
    const w = await startWorker();
    let killed!: () => void;
    const hasKilled = new Promise<void>((r) => {
      killed = r;
    });
    slack.hook.after = (m) => {
      if (m !== 'chat.postMessage' || !w.proc.pid) return;
      // Freeze it before the answer can arrive, then kill it: it never learns the ts.
      process.kill(w.proc.pid, 'SIGSTOP');
      slack.hook.after = undefined;
      setTimeout(() => {
        w.proc.kill('SIGKILL');
        killed();
      }, 20);
    };
    const id = await enqueueBooking(slot.id, role.id, 'lou@example.com', 'Lou Park');
    await hasKilled;
    await w.stop('SIGKILL');
    expect(rootsFor('Lou Park')).toHaveLength(1);
    await waitForState('booking', id, 'completed');
    const booked = await db.prisma.interview.findFirstOrThrow({ where: { slotId: slot.id } });
    const notifyId = notifyIdOf(booked.id);
    const killedAt = Date.now();
    await expireLock('notify', notifyId);
    await startWorker();
    await waitForState('notify', notifyId, 'completed');
    const interview = await db.prisma.interview.findUniqueOrThrow({ where: { id: booked.id } });
    const recoveryMs = Date.now() - killedAt;
    expect(rootsFor('Lou Park').map((m) => m.ts)).toEqual([interview.slackThreadTs]);
    expect((await db.prisma.slot.findUniqueOrThrow({ where: { id: slot.id } })).seatsTaken).toBe(1);
    record('worker-kill-booking-posted', {
      lost: 0,
      duplicates: rootsFor('Lou Park').length - 1,
      recoveryMs,
    });
  });

  it('evaluation: killed while the model is thinking → one evaluation post in the thread', async () => {
    const h = { deps: { prisma: db.prisma, slack: createSlackClient({ token: TOKEN, apiUrl: slack.url }) } };
    const interview = await seedInterview(h as unknown as THarness, { turns: GOOD_TURNS });
    const w = await startWorker();
    openai.setFault({ kind: 'hang', route: 'chat' });
    const chatCalls = () => openai.calls.filter((c) => c.path === '/v1/chat/completions').length;
    const before = chatCalls();
    const id = evaluationJobId({ interviewId: interview.id, version: 1 });
    await enqueueEvaluation(queues, { interviewId: interview.id, version: 1, reason: 'completed' });
    await expect.poll(chatCalls, { timeout: 10_000 }).toBeGreaterThan(before);
    await w.stop('SIGKILL');
    openai.setFault(null);
    const killedAt = Date.now();
    await expireLock('evaluation', id);
    await startWorker();
    await waitForState('evaluation', id, 'completed');
    const recoveryMs = Date.now() - killedAt;
    const replies = slack.emulator.thread(CHANNEL, interview.slackThreadTs!).slice(1);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/Ada Lovelace/);
    const stored = await db.prisma.evaluation.findMany({ where: { interviewId: interview.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.slackMessageTs).toBe(replies[0]!.ts);
    expect((await db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } })).status).toBe(
      'evaluated',
    );
    record('worker-kill-evaluation', { lost: 0, duplicates: 0, recoveryMs });
  });
});
