import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The start-command checks run real servers; keep files sequential like tests/e2e.
    fileParallelism: false,
  },
});
