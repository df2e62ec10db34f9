import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Browser journeys on a loaded 2-core machine can take minutes; they stop on their own waits.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time: the suite shares one database, and jobs such as the report worker and
    // the outbox claim whatever is due in it; parallel files would take each other's work.
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
