import { defineConfig } from 'vitest/config';

// Projects, from cheapest to most expensive:
// - unit: beside the code, touches no service or socket.
// - engine: Swarm against local HTTP servers that the tests start themselves.
// - integration: the API on a real Postgres (started once by the global setup) and Redis (each file its own).
// - stack: the native stack (nginx, replicas, Postgres, Redis) started by the project's own scripts, and every
//   benchmark in a tiny form (bench/benches.test.ts): they start nginx, Postgres and Redis of their own and load
//   the machine, so they run here, one file at a time.
// `npm test` needs nothing running beforehand.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'services/*/src/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'scripts/lib/**/*.test.ts',
            'k6/**/*.test.ts',
            'scenarios/lib/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'engine',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
      {
        test: {
          name: 'stack',
          include: [
            'gateway/test/**/*.test.ts',
            'scripts/stack/**/*.test.ts',
            'locust/**/*.test.ts',
            'scenarios/test/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          // One stack at a time: these files share its ports.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
