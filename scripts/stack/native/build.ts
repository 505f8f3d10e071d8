import { buildSync } from 'esbuild';
import { StackError } from '../preflight';

/**
 * The services as the native stack runs them: each bundled by esbuild into one ES module of plain JavaScript (our
 * code only; dependencies stay imports resolved from node_modules), as their Dockerfiles build them. A replica then
 * starts as `node --enable-source-maps services/api/dist/bin/index.js`: about half the CPU of loading its
 * TypeScript through tsx, for each of the four to six processes every `up` starts (BENCHMARKS.md, "How fast the
 * native stack starts"). Stack traces still name the TypeScript sources (source maps).
 */
export const BUILT = {
  api: 'services/api/dist/bin/index.js',
  // Two levels below services/api, as src/db/ is: migrate.ts finds ../../drizzle from either.
  migrate: 'services/api/dist/bin/migrate-cli.js',
  worker: 'services/worker/dist/bin/index.js',
  downstream: 'services/downstream/dist/index.js',
} as const;

/** Each bundle's output folder and the sources bundled into it (one file each, named after its entry). */
const BUNDLES: ReadonlyArray<{ outdir: string; entryPoints: string[] }> = [
  {
    outdir: 'services/api/dist/bin',
    entryPoints: ['services/api/src/index.ts', 'services/api/src/db/migrate-cli.ts'],
  },
  { outdir: 'services/worker/dist/bin', entryPoints: ['services/worker/src/index.ts'] },
  { outdir: 'services/downstream/dist', entryPoints: ['services/downstream/src/index.ts'] },
];

/** Node's arguments to run the built `file`. */
export const runBuilt = (file: string): string[] => ['--enable-source-maps', file];

/**
 * Bundles every service from its sources under `root` (a fraction of a second); `up` calls it before it starts any
 * of them. Sources that do not compile fail `up` at its `build` step, with esbuild's messages.
 */
export function buildServices(root: string): void {
  for (const { outdir, entryPoints } of BUNDLES) {
    try {
      buildSync({
        absWorkingDir: root,
        entryPoints,
        outdir,
        entryNames: '[name]',
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: true,
        logLevel: 'silent',
      });
    } catch (err) {
      // esbuild's failure lists each error as "file:line:col: message"; the first few say what to fix.
      const errors =
        (
          err as {
            errors?: Array<{
              text: string;
              location?: { file: string; line: number; column: number } | null;
            }>;
          }
        ).errors ?? [];
      const lines = errors
        .slice(0, 5)
        .map((e) =>
          e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text,
        );
      const why = lines.length > 0 ? lines.join('; ') : String(err);
      throw new StackError('build', `${outdir} could not be bundled from its sources: ${why}`);
    }
  }
}
