/**
 * Once per test run: a template database with every migration applied. Each test
 * file clones it (CREATE DATABASE … TEMPLATE), which takes ~100 ms instead of
 * migrating again, and gives every file a database of its own.
 */
import pg from 'pg';
import { migrate } from '../../src/infra/db/migrate.js';
import { ADMIN_URL, databaseUrl, TEMPLATE_DB } from './pg-urls.js';

export async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${ADMIN_URL} (set TEST_DATABASE_URL to use another): ${(err as Error).message}`,
    );
  }
  await dropLeftovers(admin);
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await migrate(databaseUrl(TEMPLATE_DB));
}

export async function teardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await dropLeftovers(admin);
  await admin.end();
}

async function dropLeftovers(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'panelist_t_%'",
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}
