import { EnvError, loadMigrateEnv } from '../env';
import { runMigrations } from './migrate';

try {
  await runMigrations(loadMigrateEnv().DATABASE_URL);
  console.log('db:migrate: migrations are up to date');
} catch (err) {
  console.error(`db:migrate: ${err instanceof EnvError || err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
