import { configDefaults, defineConfig } from 'vitest/config';

/** Builds, packs and installs Swarm (half a minute to a minute of CPU): in the stack project, alone. */
const PUBLISHED_PACKAGE_TEST = 'packages/swarm/test/published-package.test.ts';

// Projects, from cheapest to most expensive:
// - unit: beside the code, touches no service or socket.
// - engine: Swarm against local HTTP servers that the tests start themselves.
// - integration: the API on a real Postgres (started once by the global setup) and Redis (each file its own).
// - stack: the native stack (nginx, replicas, Postgres, Redis, Prometheus and its exporters) started by the
//   project's own scripts, the gateway and Prometheus templates, and every benchmark in a tiny form
//   (bench/benches.test.ts): they start nginx, Postgres and Redis of their own and load the machine, so they run
//   here, one file at a time.
// `npm test` needs nothing running beforehand.
//
// Every project extends the root config for one setting: 'swarmgate-swarm' resolves to packages/swarm's
// TypeScript sources (its `swarmgate-source` export condition, as in tsconfig.json and the `swarm` command), never
// to a dist/ build that may be stale or absent. The other conditions are Vite's defaults for the server side.
export default defineConfig({
  ssr: { resolve: { conditions: ['swarmgate-source', 'module', 'node', 'development|production'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'services/*/src/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'scripts/lib/**/*.test.ts',
            'scripts/k8s/**/*.test.ts',
            'k6/**/*.test.ts',
            'scenarios/lib/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'engine',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, PUBLISHED_PACKAGE_TEST],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.test.ts'],
          globalSetup: ['services/api/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: [
            'gateway/test/**/*.test.ts',
            'monitoring/test/**/*.test.ts',
            'scripts/stack/**/*.test.ts',
            'locust/**/*.test.ts',
            'scenarios/test/**/*.test.ts',
            'bench/**/*.test.ts',
            PUBLISHED_PACKAGE_TEST,
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
