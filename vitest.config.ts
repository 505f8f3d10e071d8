import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code and touch no service; integration tests get a real Postgres from the global
// setup and start their own Redis, so `npm test` needs nothing running beforehand.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.test.ts'],
          globalSetup: ['services/api/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
