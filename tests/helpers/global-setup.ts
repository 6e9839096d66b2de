/**
 * Once per test run: finds or starts PostgreSQL and Redis (tests/helpers/test-services.ts),
 * then makes a template database with every migration applied. Each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes ~100 ms instead of migrating again, and gives
 * every file a database of its own. Names carry a run id, so several runs on one machine
 * (developers, CI) never touch each other's.
 *
 * The addresses found reach the test files through TEST_DATABASE_URL / TEST_REDIS_URL
 * (vitest starts its workers after this setup, with this process's environment).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/infra/db/migrate.js';
import {
  browserSkipLine,
  ensureTestPostgres,
  ensureTestRedis,
  missingBrowserTools,
  type TService,
} from './test-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDbRun: string;
  }
}

const run = `r${randomBytes(3).toString('hex')}`;
const started: TService[] = [];
let skipLine: string | undefined;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function setup(project: TestProject): Promise<void> {
  const missing = missingBrowserTools(process.env);
  if (missing.length > 0) {
    skipLine = browserSkipLine(missing);
    if (process.env.CI === 'true')
      throw new Error(`CI=true and the browser tests cannot run: ${missing.join(' and ')} not found.`);
    process.env.PANELIST_BROWSER_TESTS = 'skip';
    console.warn(`\n${skipLine}\n`);
  }

  const postgres = await ensureTestPostgres(process.env, run);
  started.push(postgres);
  const redis = await ensureTestRedis(process.env, run);
  started.push(redis);
  process.env.TEST_DATABASE_URL = postgres.url;
  process.env.TEST_REDIS_URL = redis.url;
  if (postgres.origin === 'private' || redis.origin === 'private') {
    const where = (s: TService) =>
      `${new URL(s.url).host} (${s.origin === 'private' ? 'started for this run' : s.origin})`;
    console.warn(`Tests use PostgreSQL at ${where(postgres)} and Redis at ${where(redis)}.`);
  }

  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE panelist_tpl_${run}`);
  await admin.end();
  await migrate(withDatabase(postgres.url, `panelist_tpl_${run}`));
  project.provide('testDbRun', run);
}

export async function teardown(): Promise<void> {
  try {
    const url = process.env.TEST_DATABASE_URL;
    if (url) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'panelist_t_${run}_%' OR datname = 'panelist_tpl_${run}'`,
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
    // Said again at the end, where the summary is read.
    if (skipLine) console.warn(`\n${skipLine}\n`);
  }
}
