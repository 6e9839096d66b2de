/**
 * Fault 5: the model server misbehaves while evaluations run (`main.ts worker`).
 * Promises: a passing fault (429s, 500s, a malformed answer, a hang) is retried and the
 * evaluation is posted once; a model that stays down ends in a visible failure in the
 * thread, with the interview marked failed, never left "in progress". A hung model is
 * covered by worker-kill.test.ts (a worker killed while the model hangs); a hang the worker
 * waits out costs up to 3 × 60 s per attempt (see docs/reliability.md).
 * (Interviews going on during model faults: tests/portal/interview-http.test.ts, "a
 * failing model costs the follow-up, not the interview".)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueEvaluation, evaluationJobId } from '../../src/infra/queue/jobs/evaluation.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { GOOD_TURNS, scriptedModel, seedInterview, type THarness } from '../evaluation/harness.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { type OpenAiFault, type OpenAiServer, startOpenAiServer } from '../helpers/openai-server.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { startApp, type TAppProcess } from './support/app.js';
import { record } from './support/report.js';
import { CHANNEL, startSlackPeer, TOKEN, type TSlackPeer } from './support/slack-peer.js';

const prefix = testPrefix();
let db: TTestDb;
let slack: TSlackPeer;
let openai: OpenAiServer;
let worker: TAppProcess;
let queues: JobQueues;

beforeAll(async () => {
  [db, slack, openai] = await Promise.all([createTestDb(), startSlackPeer(), startOpenAiServer()]);
  openai.setChatHandler(scriptedModel({}));
  queues = new JobQueues(createRedis(TEST_REDIS_URL, 'producer'), prefix);
  worker = await startApp(['worker'], {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    prefix,
    slackApiUrl: slack.url,
    openAiUrl: openai.baseURL,
  });
});

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await queues.close();
  queues.connection.disconnect();
  await Promise.all([slack.close(), openai.close()]);
  await cleanPrefix(prefix);
  await db.drop();
});

async function evaluate(fault: OpenAiFault | null) {
  const h = { deps: { prisma: db.prisma, slack: createSlackClient({ token: TOKEN, apiUrl: slack.url }) } };
  const interview = await seedInterview(h as unknown as THarness, { turns: GOOD_TURNS });
  openai.setFault(fault);
  const id = evaluationJobId({ interviewId: interview.id, version: 1 });
  const started = Date.now();
  await enqueueEvaluation(queues, { interviewId: interview.id, version: 1, reason: 'completed' });
  return { interview, id, started };
}

const replies = (threadTs: string) => slack.emulator.thread(CHANNEL, threadTs).slice(1);

describe('model faults during evaluation', () => {
  const passing: Array<[string, OpenAiFault]> = [
    ['three 429s', { kind: 'status', status: 429, times: 3, route: 'chat' }],
    ['three 500s', { kind: 'status', status: 500, times: 3, route: 'chat' }],
    ['a malformed answer', { kind: 'malformed', times: 1, route: 'chat' }],
  ];
  it.each(passing)('%s: retried, then posted once', async (name, fault) => {
    const { interview, id, started } = await evaluate(fault);
    await expect
      .poll(async () => (await queues.queue('evaluation').getJob(id))?.getState(), { timeout: 60_000 })
      .toBe('completed');
    const posts = replies(interview.slackThreadTs!);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).not.toMatch(/failed/);
    expect((await db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } })).status).toBe(
      'evaluated',
    );
    record(`model-${name.replace(/\W+/g, '-')}`, { posts: 1, duplicates: 0, msToPost: Date.now() - started });
  });

  it('a model that stays down: the thread says the evaluation failed, the interview is marked failed', async () => {
    const { interview, id, started } = await evaluate({ kind: 'status', status: 500, route: 'chat' });
    await expect
      .poll(async () => (await queues.queue('evaluation').getJob(id))?.getState(), {
        timeout: 110_000,
        interval: 500,
      })
      .toBe('failed');
    openai.setFault(null);
    const posts = replies(interview.slackThreadTs!);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toBe('The AI evaluation of Ada Lovelace failed. The transcript can be read now.');
    const after = await db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } });
    expect(after.status).toBe('failed');
    expect(await db.prisma.interview.count({ where: { status: 'in_progress' } })).toBe(0);
    record('model-down', { posts: 1, finalStatus: after.status, msToVisibleFailure: Date.now() - started });
  }, 150_000);
});
