import { type ChildProcess, spawn } from 'node:child_process';
import { Worker } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { createMailer } from '../../src/infra/mail/mailer.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { emailHandler } from '../../src/jobs/handlers/email.js';
import { STALE_SENDING_MS } from '../../src/services/email/send-email.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { createInterview, startEmailEnv, type TEmailEnv, threadReplies } from './setup.js';

let env: TEmailEnv;
let child: ChildProcess | undefined;
let server: SMTPServer;
let smtpUrl: string;
const received: Buffer[] = [];

beforeAll(async () => {
  env = await startEmailEnv();
  // An SMTP server that, when a message has fully arrived, freezes the sending worker process,
  // accepts the message (250), then kills the worker: it dies after the server accepted the
  // message and before it could record that.
  server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        if (child?.pid && received.length === 1) {
          process.kill(child.pid, 'SIGSTOP');
          callback(null, 'OK: queued');
          setTimeout(() => child?.pid && process.kill(child.pid, 'SIGKILL'), 20);
          return;
        }
        callback(null, 'OK: queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  server.on('error', () => {});
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await env?.close();
});

it('a worker killed between the send and its completion does not cause a second email', async () => {
  const f = await createInterview(env, {
    email: 'cara@example.com',
    start: new Date('2030-09-01T09:00:00Z'),
  });
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'tests/email/crash-worker.ts',
      JSON.stringify({
        databaseUrl: env.db.url,
        redisUrl: TEST_REDIS_URL,
        prefix: env.prefix,
        smtpUrl,
        slackUrl: env.slackServer.url,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child!.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  const id = emailJobId({ interviewId: f.interviewId, kind: 'invite', revision: 1 });
  await env.queues.enqueue(
    'email',
    { interviewId: f.interviewId, kind: 'invite', revision: 1 },
    { jobId: id },
  );
  const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
    child!.once('exit', (_c, sig) => resolve(sig)),
  );
  expect(exit).toBe('SIGKILL');
  expect(received).toHaveLength(1);
  const row = await env.db.prisma.emailDelivery.findFirstOrThrow({ where: { interviewId: f.interviewId } });
  expect(row.status).toBe('sending'); // the dead worker never recorded the acceptance

  // The dead worker's lock expires after lockDuration (30 s) and BullMQ's stalled check runs every
  // 30 s; let that time pass by expiring both keys now. A new worker then finds the job stalled and
  // runs it again, a while after the claim (its clock is moved on past STALE_SENDING_MS).
  const redis = createRedis(TEST_REDIS_URL, 'plain');
  await redis.del(`${env.prefix}:email:${id}:lock`, `${env.prefix}:email:stalled-check`);
  redis.disconnect();
  const logger = createLogger('silent');
  const mailer = createMailer({ ...env.config, mail: { ...env.config.mail, smtpUrl } }, logger);
  const later = { ...env.deps, mailer, now: () => new Date(Date.now() + STALE_SENDING_MS + 1000) };
  const handler = emailHandler(later);
  const rerun = new Worker('email', (job) => handler(job.data, { job, isFinalAttempt: false, logger }), {
    connection: env.workerConn,
    prefix: env.prefix,
    stalledInterval: 200,
  });
  try {
    const job = await env.queues.queue('email').getJob(id);
    await expect.poll(() => job!.getState(), { timeout: 8000 }).toBe('completed');
    const done = await env.queues.queue('email').getJob(id);
    expect(done!.returnvalue).toEqual({ status: 'unconfirmed' });
  } finally {
    await rerun.close();
    await mailer.close();
  }
  expect(received).toHaveLength(1); // no second email
  const after = await env.db.prisma.emailDelivery.findFirstOrThrow({ where: { interviewId: f.interviewId } });
  expect(after.status).toBe('failed');
  expect(after.lastError).toMatch(/^unconfirmed/);
  const [note] = threadReplies(env, f.threadTs);
  expect(note?.text).toMatch(
    /^:grey_question: The invite for Ann Lee \(cara@example.com\) was probably emailed/,
  );
  expect(JSON.stringify(note?.blocks)).toContain('"action_id":"email_retry"');
}, 30_000);
