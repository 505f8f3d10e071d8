import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../../../scripts/lib/ports';
import { startPostgres } from '../../../../scripts/lib/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the run's throwaway Postgres, for creating one database per test file. */
    pgAdminUrl: string;
  }
}

/** One throwaway Postgres cluster for the whole run, on a free port in a temporary directory, removed afterwards. */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'swarmgate-test-'));
  chmodSync(root, 0o755); // the server runs as `postgres` when we are root and must reach its data directory
  const pg = await startPostgres({
    dataDir: join(root, 'pg'),
    port: await freePort(),
    database: 'postgres',
    ephemeral: true,
  });
  project.provide('pgAdminUrl', pg.url);
  return async () => {
    await pg.stop('SIGINT'); // "fast" shutdown: ends sessions and stops
    rmSync(root, { recursive: true, force: true });
  };
}
