// Generates the Prisma client into src/generated/prisma.
// Prisma's CLI downloads a native schema engine on start unless told where one is;
// `generate` never uses that engine, so on a machine without internet we point the
// variable at /bin/true. Where a real engine is configured, we leave it alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync('/bin/true')) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = '/bin/true';
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
