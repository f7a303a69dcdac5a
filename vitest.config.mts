import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Scripts are imported as text, as scripts/build.ts bundles them (engine/*.pl).
  plugins: [{ name: 'scripts-as-text', transform: (code: string, id: string) => (id.endsWith('.pl') ? `export default ${JSON.stringify(code)};` : undefined) }],
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
