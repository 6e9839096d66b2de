/**
 * The embedded database for local runs: PGlite (PostgreSQL compiled to WASM)
 * with its files under DATA_DIR, served on a loopback port so Prisma's pg adapter
 * and the migration runner reach it like any PostgreSQL server.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type TEmbeddedPostgres = { url: string; close(): Promise<void> };

export async function startEmbeddedPostgres(dataDir: string): Promise<TEmbeddedPostgres> {
  const dir = path.join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
