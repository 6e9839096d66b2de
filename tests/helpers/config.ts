import { loadConfig, type TConfig } from '../../src/config.js';

/** A valid configuration for tests; override what a test is about. */
export function testConfig(env: Record<string, string> = {}, patch: Partial<TConfig> = {}): TConfig {
  const base = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    PUBLIC_URL: 'http://portal.test',
    DATA_DIR: '/tmp/panelist-test-data',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
    TRANSCRIPT_LINK_SECRET: 'test-transcript-secret-0123456789abcdef',
    CANDIDATE_LINK_SECRET: 'test-candidate-link-secret-0123456789abcdef',
    COMPANY_NAME: 'Acme',
    ...env,
  });
  return { ...base, ...patch };
}
