import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Fails a test in which an /api answer does not match /api/openapi.json (test/helpers/openapi-check.ts).
    setupFiles: ['test/helpers/openapi-setup.ts'],
  },
});
