import { join } from 'node:path';
import { buildSync } from 'esbuild';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * The services as the native stack runs them: each bundled by esbuild into one ES module of plain JavaScript (our
 * code only; dependencies stay imports resolved from node_modules), as their Dockerfiles build them. A replica then
 * starts as `node --enable-source-maps services/api/dist/bin/index.js`: about half the CPU of loading its
 * TypeScript through tsx, for each of the four to six processes every `up` starts (BENCHMARKS.md has the figures).
 * Stack traces still name the TypeScript sources (source maps).
 */
export const BUILT = {
  api: 'services/api/dist/bin/index.js',
  // Two levels below services/api, as src/db/ is: migrate.ts finds ../../drizzle from either.
  migrate: 'services/api/dist/bin/migrate-cli.js',
  worker: 'services/worker/dist/bin/index.js',
  downstream: 'services/downstream/dist/index.js',
} as const;

/** Node's arguments to run the built `file`. */
export const runBuilt = (file: string): string[] => ['--enable-source-maps', file];

/** Bundles every service from its sources (a fraction of a second); `up` calls it before it starts any of them. */
export function buildServices(): void {
  const common = {
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    entryNames: '[name]',
    logLevel: 'silent',
  } as const;
  buildSync({
    ...common,
    entryPoints: ['services/api/src/index.ts', 'services/api/src/db/migrate-cli.ts'],
    outdir: 'services/api/dist/bin',
  });
  buildSync({ ...common, entryPoints: ['services/worker/src/index.ts'], outdir: 'services/worker/dist/bin' });
  buildSync({
    ...common,
    entryPoints: ['services/downstream/src/index.ts'],
    outdir: 'services/downstream/dist',
  });
}
