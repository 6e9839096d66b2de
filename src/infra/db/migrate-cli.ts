/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */

import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../config.js';
import { createLogger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrate } from './migrate.js';

if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  const result = await migrate(config.databaseUrl ?? embedded!.url);
  await embedded?.close();
  logger.info(result, result.applied.length ? 'migrations applied' : 'database is up to date');
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(1);
}
