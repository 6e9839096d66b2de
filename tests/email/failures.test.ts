import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBot } from '../../src/bot/app.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import {
  actionFromBlocks,
  blockActionsPayload,
  interactionBody,
  sendSlackRequest,
} from '../../tools/slack-emulator/signing.js';
import {
  CHANNEL,
  createInterview,
  RECRUITER,
  startEmailEnv,
  type TEmailEnv,
  threadReplies,
} from './setup.js';

let env: TEmailEnv;
let portal: FastifyInstance;
let slackUrl: string;
const SECRET = 'test-signing-secret-0123456789';

beforeAll(async () => {
  env = await startEmailEnv();
  env.startWorker();
  const bot = buildBot(env.deps, {
    token: 'xoxb-test-token',
    signingSecret: SECRET,
    apiUrl: env.slackServer.url,
  });
  portal = Fastify();
  await portal.register(bot.receiver!.plugin);
  await portal.listen({ host: '127.0.0.1', port: 0 });
  slackUrl = `http://127.0.0.1:${(portal.server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  await portal?.close();
  await env?.close();
});
beforeEach(() => env.smtp.reset());

/** Adds the invite job with a short backoff so retries happen within the test. */
async function addInvite(f: { interviewId: string; sessionKey: string }) {
  return env.queues.queue('email').add(
    'email',
    { interviewId: f.interviewId, kind: 'invite', revision: 1 },
    {
      jobId: emailJobId({ interviewId: f.interviewId, kind: 'invite', revision: 1 }),
      attempts: 4,
      backoff: { type: 'exponential', delay: 100 },
    },
  );
}

async function clickRetry(message: { ts: string; blocks?: unknown[]; thread_ts?: string }) {
  const payload = blockActionsPayload({
    user: RECRUITER,
    actions: [actionFromBlocks(message.blocks, 'email_retry')],
    triggerId: '1234567890.123456.abcdef',
    channel: CHANNEL,
    message: message as { ts: string },
  });
  const res = await sendSlackRequest(slackUrl, interactionBody(payload), SECRET);
  expect(res.status).toBe(200);
}

describe('retries that fit the failure', () => {
  it('a server that answers 421 twice and then accepts gets exactly one delivery', async () => {
    const f = await createInterview(env, {
      email: 'kim@example.com',
      start: new Date('2030-05-01T10:00:00Z'),
    });
    env.smtp.failNext(421, 2);
    const job = await addInvite(f);
    await env.smtp.waitFor(1, 8000);
    await expect.poll(() => job.getState(), { timeout: 5000 }).toBe('completed');
    const done = await env.queues.queue('email').getJob(job.id!);
    expect(done!.attemptsMade).toBe(3); // two failed attempts, then the successful third
    const row = await env.db.prisma.emailDelivery.findFirstOrThrow({ where: { interviewId: f.interviewId } });
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(env.smtp.messages).toHaveLength(1);
    // Temporary failures do not bother the recruiter; only the success is noted.
    await expect
      .poll(() => threadReplies(env, f.threadTs).map((m) => m.text.split(' emailed')[0]))
      .toEqual([':envelope: Invite']);
  });

  it('a server that keeps deferring gets retried with backoff, then the thread is warned once', async () => {
    const f = await createInterview(env, {
      email: 'dee@example.com',
      start: new Date('2030-05-03T10:00:00Z'),
    });
    env.smtp.failNext(421, 10);
    const job = await addInvite(f);
    await expect.poll(() => job.getState(), { timeout: 8000 }).toBe('failed');
    expect((await env.queues.queue('email').getJob(job.id!))!.attemptsMade).toBe(4);
    await expect.poll(() => threadReplies(env, f.threadTs).length).toBe(1);
    expect(threadReplies(env, f.threadTs)[0]!.text).toBe(
      ':warning: The invite for Ann Lee (dee@example.com) could not be emailed. ' +
        'The mail server kept deferring the message (421 Service not available, closing transmission channel, try again later).',
    );
    const row = await env.db.prisma.emailDelivery.findFirstOrThrow({ where: { interviewId: f.interviewId } });
    expect(row).toMatchObject({ status: 'failed', attempts: 4, lastError: 'EMESSAGE:421' });
    expect(env.smtp.messages).toHaveLength(0);
  });

  it('a 550 stops at once, warns in the thread with a Retry button, and the button resends once', async () => {
    const f = await createInterview(env, {
      candidateName: 'Bob <Builder>',
      email: 'bob@example.com',
      start: new Date('2030-05-02T10:00:00Z'),
    });
    env.smtp.failRecipients(/^bob@/, 550);
    const job = await addInvite(f);
    await expect.poll(() => job.getState(), { timeout: 5000 }).toBe('failed');
    const failed = await env.queues.queue('email').getJob(job.id!);
    expect(failed!.attemptsMade).toBe(1); // no retries on a permanent failure
    expect(failed!.failedReason).not.toContain('bob@');

    await expect.poll(() => threadReplies(env, f.threadTs).length).toBe(1);
    const warning = threadReplies(env, f.threadTs)[0]!;
    expect(warning.text).toBe(
      ':warning: The invite for Bob &lt;Builder&gt; (bob@example.com) could not be emailed. ' +
        'The mailbox bob@example.com was refused by the mail server ' +
        '(550 &lt;bob@example.com&gt;: Recipient address rejected: mailbox unavailable).',
    );
    expect(warning.text).not.toContain(f.sessionKey);
    const button = JSON.stringify(warning.blocks);
    expect(button).toContain('"action_id":"email_retry"');
    expect(button).toContain(`"value":"${f.interviewId}|invite|1"`);
    expect(button).not.toContain(f.sessionKey);
    // The link for manual sharing goes to the recruiter only.
    const [ephemeral] = env.slack.ephemeralsFor(RECRUITER).filter((m) => m.thread_ts === f.threadTs);
    expect(ephemeral?.thread_ts).toBe(f.threadTs);
    expect(ephemeral?.text).toContain(`http://portal.test/interview?session_key=${f.sessionKey}`);
    expect(env.smtp.messages).toHaveLength(0);

    // The address is fixed on the server side; the recruiter presses Retry email twice.
    env.smtp.reset();
    await clickRetry(warning);
    await clickRetry(warning);
    await env.smtp.waitFor(1, 5000);
    await expect.poll(() => job.getState(), { timeout: 5000 }).toBe('completed');
    await clickRetry(warning);
    // Both clicks are answered in the thread (in either order); only one of them resends.
    await expect.poll(() => threadReplies(env, f.threadTs).length, { timeout: 5000 }).toBe(5);
    const replies = threadReplies(env, f.threadTs).map((m) => m.text);
    expect(replies[0]).toBe(warning.text);
    const count = (re: RegExp) => replies.filter((t) => re.test(t)).length;
    expect(
      count(/^<@U_RECRUITER> asked to resend the invite to Bob &lt;Builder&gt;: sending it now\.$/),
    ).toBe(1);
    // The second click lands while the job is queued or sending, or just after it was sent.
    expect(
      count(/^The invite to Bob &lt;Builder&gt; (is already being sent\.|was already emailed at <!date\^)/),
    ).toBe(2);
    expect(count(/^:envelope: Invite emailed to Bob &lt;Builder&gt; \(bob@example.com\) at <!date\^/)).toBe(
      1,
    );
    expect(env.smtp.messages).toHaveLength(1);
    expect(env.smtp.messages[0]!.envelope.rcptTo).toEqual(['bob@example.com']);
    expect(env.slack.violations).toEqual([]);
  });
});
