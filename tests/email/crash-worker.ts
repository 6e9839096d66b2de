/**
 * A worker process for the crash test: the real email worker (startWorker + emailHandler) with
 * real clients, configured from argv[2] (JSON). The test SIGKILLs it in the middle of a send.
 */

import { createPrisma } from '../../src/infra/db/client.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMailer } from '../../src/infra/mail/mailer.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { emailHandler } from '../../src/jobs/handlers/email.js';
import { startWorker } from '../../src/jobs/worker.js';
import { testConfig } from '../helpers/config.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  smtpUrl: string;
  slackUrl: string;
};
const config = testConfig({
  SMTP_URL: opts.smtpUrl,
  QUEUE_PREFIX: opts.prefix,
  MAIL_FROM: 'Acme Interviews <interviews@acme.test>',
});
const logger = createLogger('silent');
const deps = {
  config,
  prisma: createPrisma(opts.databaseUrl),
  queues: new JobQueues(createRedis(opts.redisUrl, 'producer'), opts.prefix),
  slack: createSlackClient({ token: 'xoxb-test-token', apiUrl: opts.slackUrl }),
  ai: undefined,
  logger,
  metrics: createMetrics(),
  now: () => new Date(),
  mailer: createMailer(config, logger),
};
const worker = startWorker('email', emailHandler(deps), {
  connection: createRedis(opts.redisUrl, 'worker'),
  prefix: opts.prefix,
  logger,
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
