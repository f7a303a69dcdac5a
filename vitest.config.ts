import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Runs fail on a hung child instead of waiting forever; individual tests wait on events.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
