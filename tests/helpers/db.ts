/** A fresh, migrated PostgreSQL database for one test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { createPrisma } from '../../src/infra/db/client.js';
import { ADMIN_URL, databaseUrl } from './pg-urls.js';

export type TTestDb = { url: string; name: string; prisma: PrismaClient; drop(): Promise<void> };

export async function createTestDb(): Promise<TTestDb> {
  const run = inject('testDbRun');
  const template = `panelist_tpl_${run}`;
  const name = `panelist_t_${run}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    // Two clones of one template at the same moment make PostgreSQL answer
    // "source database is being accessed by other users": wait and try again.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (err) {
        if (attempt > 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const prisma = createPrisma(url);
  return {
    url,
    name,
    prisma,
    async drop() {
      await prisma.$disconnect();
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
