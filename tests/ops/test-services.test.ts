/**
 * `npm test` on a machine with only Node: when nothing answers at the usual addresses, the
 * run starts its own real PostgreSQL and Redis. The machine's own servers are shared and
 * must not be stopped, so these tests point the probes at a port where nothing listens.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';
import {
  browserSkipLine,
  ensureTestPostgres,
  ensureTestRedis,
  freePort,
  missingBrowserTools,
} from '../helpers/test-services.js';

describe('test servers on a machine without them', () => {
  it('starts a private, real PostgreSQL when none answers, and removes it afterwards', async () => {
    const dead = await freePort();
    const pgService = await ensureTestPostgres(
      { TEST_PG_PROBE_URL: `postgresql://postgres@127.0.0.1:${dead}/postgres` },
      `unit${process.pid}`,
    );
    try {
      expect(pgService.origin).toBe('private');
      const client = new pg.Client({ connectionString: pgService.url });
      await client.connect();
      const { rows } = await client.query<{ v: number }>(
        "SELECT current_setting('server_version_num')::int AS v",
      );
      await client.query('CREATE DATABASE cloned_from_template TEMPLATE template1');
      await client.end();
      expect(rows[0]?.v).toBeGreaterThanOrEqual(160000);
    } finally {
      await pgService.stop();
    }
    const after = new pg.Client({ connectionString: pgService.url, connectionTimeoutMillis: 1000 });
    await expect(after.connect()).rejects.toThrow();
  }, 60_000);

  it('starts a private redis-server when none answers', async () => {
    const dead = await freePort();
    const redis = await ensureTestRedis(
      { TEST_REDIS_PROBE_URL: `redis://127.0.0.1:${dead}` },
      `unit${process.pid}`,
    );
    expect(redis.origin).toBe('private');
    expect(new URL(redis.url).port).not.toBe(String(dead));
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await redis.stop();
  });

  it('names the variable when a given TEST_DATABASE_URL or TEST_REDIS_URL does not answer', async () => {
    const dead = await freePort();
    await expect(
      ensureTestPostgres({ TEST_DATABASE_URL: `postgresql://postgres@127.0.0.1:${dead}/postgres` }, 'x'),
    ).rejects.toThrow(/TEST_DATABASE_URL is set but PostgreSQL does not answer there: .*ECONNREFUSED/);
    await expect(ensureTestRedis({ TEST_REDIS_URL: `redis://127.0.0.1:${dead}` }, 'x')).rejects.toThrow(
      `TEST_REDIS_URL is set but Redis does not answer at 127.0.0.1:${dead}`,
    );
  });

  it('says how to install a missing browser', () => {
    const missing = missingBrowserTools({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(missing[0]).toBe('Chromium (/nonexistent/chromium)');
    expect(browserSkipLine(missing)).toContain('sudo apt-get install chromium espeak-ng');
  });

  it('under CI=true a missing browser fails the run instead of skipping', () => {
    const run = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'tests/unit/domain/escape.test.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, CI: 'true', CHROMIUM_PATH: '/nonexistent/chromium' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(
      'CI=true and the browser tests cannot run: Chromium (/nonexistent/chromium)',
    );
  }, 70_000);
});
