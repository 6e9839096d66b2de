/**
 * Once per test run: a template database with every migration applied. Each test
 * file clones it (CREATE DATABASE … TEMPLATE), which takes ~100 ms instead of
 * migrating again, and gives every file a database of its own. Names carry a run
 * id, so several runs on one machine (developers, CI) never touch each other's.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/infra/db/migrate.js';
import { ADMIN_URL, databaseUrl } from './pg-urls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDbRun: string;
  }
}

const run = `r${randomBytes(3).toString('hex')}`;

export async function setup(project: TestProject): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${ADMIN_URL} (set TEST_DATABASE_URL to use another): ${(err as Error).message}`,
    );
  }
  await admin.query(`CREATE DATABASE panelist_tpl_${run}`);
  await admin.end();
  await migrate(databaseUrl(`panelist_tpl_${run}`));
  project.provide('testDbRun', run);
}

export async function teardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'panelist_t_${run}_%' OR datname = 'panelist_tpl_${run}'`,
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await admin.end();
}
