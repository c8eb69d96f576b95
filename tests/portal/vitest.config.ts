import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // Pages on a loaded 2-core machine can take a while: poll with a generous deadline, not a fixed sleep.
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
