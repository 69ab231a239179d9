import { defineConfig } from 'vitest/config';

/**
 * The engine suite (`npm run test:engines`): the AWS-facing code against real engines, started
 * once by the global setup. Files run one at a time: they share the engines, and on two cores the
 * JVMs leave nothing for parallel files.
 */
export default defineConfig({
  test: {
    include: ['test/engines/**/*.engine.ts'],
    globalSetup: ['test/engines/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // engines/run.ts names the file where the reporter leaves the counts it prints last.
    reporters: [
      'default',
      ['./test/summary-reporter.ts', { resultFile: process.env.CLICKSTREAM_ENGINES_RESULT_FILE }],
    ],
  },
});
