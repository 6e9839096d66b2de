/**
 * A separate worker process for tests and benchmarks: `tsx tests/helpers/worker-process.ts booking[,email]`.
 * Configured from the environment like the real thing; prints "ready" once its
 * workers are running, and stops on SIGTERM.
 */
import { loadConfig } from '../../src/config.js';
import { createPrisma } from '../../src/infra/db/client.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import type { TJobName } from '../../src/infra/queue/catalogue.js';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { createSlackClient } from '../../src/infra/slack/client.js';
import { startWorkers } from '../../src/jobs/index.js';
import { closeWorkers } from '../../src/jobs/worker.js';

const config = loadConfig({
  CANDIDATE_LINK_SECRET: 'test-candidate-link-secret-0123456789abcdef',
  ...process.env,
});
const only = (process.argv[2] ?? 'booking').split(',') as TJobName[];
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4);
const prisma = createPrisma(config.databaseUrl!);
const producer = createRedis(config.redis.url, 'producer');
const connection = createRedis(config.redis.url, 'worker');
const queues = new JobQueues(producer, config.redis.prefix);
const workers = startWorkers(
  {
    config,
    prisma,
    queues,
    slack: createSlackClient({ token: config.slack.botToken!, apiUrl: config.slack.apiUrl }),
    ai: undefined,
    logger: createLogger(config.logLevel),
    metrics: createMetrics(),
    now: () => new Date(),
  },
  connection,
  { only, concurrency: Object.fromEntries(only.map((q) => [q, concurrency])) },
);
let processed = 0;
for (const w of workers) w.on('completed', () => processed++);
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await closeWorkers(workers, 5000);
    process.stdout.write(`processed=${processed}\n`);
    await queues.close();
    producer.disconnect();
    connection.disconnect();
    await prisma.$disconnect();
    process.exit(0);
  })();
});
