import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    // These files stop and restart their own Redis, PostgreSQL and SMTP servers and
    // kill processes: one file at a time keeps the timings they measure honest.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 90_000,
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
