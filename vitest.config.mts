import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/e2e runs inside a real VS Code (npm run test:e2e), not in vitest.
    exclude: ['test/e2e/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Runs fail on a hung child instead of waiting forever; individual tests wait on events.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
