import { configDefaults, defineConfig } from 'vitest/config';

/** Builds, packs and installs Swarm (half a minute to a minute of CPU): in the stack project, alone. */
const PUBLISHED_PACKAGE_TEST = 'packages/swarm/test/published-package.test.ts';

/** The engine project: two files at a time, first (see below). */
const TWO_AT_A_TIME = { maxWorkers: 2, sequence: { groupOrder: 0 } };
/** unit, integration and stack: one file at a time, after the engine project. */
const ONE_AT_A_TIME = { maxWorkers: 1, sequence: { groupOrder: 1 } };

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
// The engine project's files run two at a time, before the rest (vitest's default on a 2-core machine is one
// worker): they mostly wait on sockets, child processes and timed runs (one file uses a third to a half of a core),
// and each takes free ports and its own temporary directory. Then unit, integration and stack, one file at a time:
// integration's files start API, worker and Redis processes whose start-up is CPU, and two at a time on a busy
// 2-core machine they ran past their timeouts; unit holds event-loop-lag tests and takes half a minute in all.
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
          ...ONE_AT_A_TIME,
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
          ...TWO_AT_A_TIME,
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
          ...ONE_AT_A_TIME,
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
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
