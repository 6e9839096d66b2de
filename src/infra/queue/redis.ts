/**
 * Redis connections as BullMQ needs them, and the local-run convenience of
 * starting a private redis-server when nothing answers at REDIS_URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * A command on a producer connection that has no answer after this long fails. A paused Redis
 * (SIGSTOP, a stalled network, a long fork) keeps the socket open, so without it every awaited
 * command would hang until Redis resumed (fault suite: 20 s). Request paths set shorter deadlines
 * of their own; this is the floor for everything else on the connection.
 */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5000;

/**
 * Workers block on Redis and must never give up a command (BullMQ requires
 * maxRetriesPerRequest: null); producers fail fast instead: no offline queue (an add while Redis
 * is down errors at once) and a command timeout (an add while Redis is stalled errors in time).
 * A timed-out command may still run when Redis resumes: callers that refuse work on a timeout
 * must make that refusal final elsewhere (booking: services/booking/booking-request.ts).
 */
export function createRedis(url: string, role: 'worker' | 'producer' | 'plain'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : role === 'producer'
        ? {
            maxRetriesPerRequest: 1,
            enableOfflineQueue: false,
            connectTimeout: 2000,
            commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
          }
        : { maxRetriesPerRequest: 1, connectTimeout: 2000 };
  return new Redis(url, { lazyConnect: false, ...options });
}

export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export type TLocalRedis = { url: string; close(): Promise<void> };

/**
 * Makes sure Redis answers at `url`. If it does not and `autostart` is on, starts a
 * private redis-server (data under dataDir/redis, appendonly so queued jobs survive
 * a restart). Otherwise throws an error that says exactly how to get Redis.
 */
export async function ensureRedis(opts: {
  url: string;
  autostart: boolean;
  dataDir: string;
  logger: Logger;
}): Promise<TLocalRedis | undefined> {
  if (await pingRedis(opts.url)) return undefined;
  const target = new URL(opts.url);
  const isLoopback = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(target.hostname);
  const hasBinary = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!opts.autostart || !isLoopback || !hasBinary) {
    throw new Error(
      [
        `Panelist needs Redis (for its job queues) and nothing answers at ${target.host}.`,
        !hasBinary
          ? 'redis-server is not installed on this machine. Install it with one of:'
          : 'Start it with:',
        ...(!hasBinary
          ? [
              '  Debian/Ubuntu: sudo apt-get install redis-server',
              '  macOS:         brew install redis && brew services start redis',
              '  Docker:        docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction',
            ]
          : ['  redis-server --port 6379 --maxmemory-policy noeviction']),
        'then run Panelist again (it starts a private redis-server by itself on a local run when one is installed),',
        'or set REDIS_URL to a Redis you have.',
      ].join('\n'),
    );
  }
  const dir = path.join(opts.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = Number(target.port || 6379);
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await pingRedis(opts.url, 300)) {
      opts.logger.info({ port, dir }, 'started a private redis-server for this local run');
      return {
        url: opts.url,
        close: async () => {
          child.kill('SIGTERM');
          await new Promise((resolve) => child.once('exit', resolve));
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Started redis-server on port ${port} but it did not answer within 5 s; see ${dir}.`);
}
