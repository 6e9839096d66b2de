/**
 * Opens the database: PostgreSQL at DATABASE_URL, or embedded PGlite when it is
 * unset. Applies pending migrations before handing out the client.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrate } from './migrate.js';

export type { PrismaClient } from '../../generated/prisma/client.js';

export type TDatabase = {
  prisma: PrismaClient;
  url: string;
  isEmbedded: boolean;
  close(): Promise<void>;
};

export function createPrisma(url: string, options: { maxConnections?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  migrate?: boolean;
}): Promise<TDatabase> {
  const embedded = opts.databaseUrl ? undefined : await startEmbeddedPostgres(opts.dataDir);
  const url = opts.databaseUrl ?? embedded!.url;
  try {
    if (opts.migrate !== false) {
      const result = await migrate(url);
      if (result.applied.length > 0)
        opts.logger.info({ applied: result.applied }, 'database migrations applied');
    }
  } catch (err) {
    await embedded?.close();
    throw describeDbError(err, opts.databaseUrl);
  }
  // PGlite is a single session: one connection, or transactions would interleave.
  const prisma = createPrisma(url, { maxConnections: embedded ? 1 : 10 });
  if (embedded)
    opts.logger.info(
      { dataDir: opts.dataDir },
      'using the embedded database (PGlite); set DATABASE_URL for PostgreSQL',
    );
  return {
    prisma,
    url,
    isEmbedded: Boolean(embedded),
    async close() {
      await prisma.$disconnect();
      await embedded?.close();
    },
  };
}

function describeDbError(err: unknown, databaseUrl: string | undefined): Error {
  const e = err as NodeJS.ErrnoException;
  if (databaseUrl && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND')) {
    const host = safeHost(databaseUrl);
    return new Error(
      `Cannot reach PostgreSQL at ${host} (${e.code}). Start PostgreSQL, fix DATABASE_URL, or unset DATABASE_URL to use the embedded database.`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
