import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { StackError } from './preflight';
import type { StackSettings } from './settings';
import { composeTopology, replicaDatabaseUrl } from './topology';

/**
 * The docker-compose stack (docker-compose.yml at the repository root). The compose file fixes three replicas and
 * the same ports as the native stack, so `make health` and the tests reach both the same way.
 */
const ROOT = join(import.meta.dirname, '..', '..');

/** `docker compose` (v2 plugin) or `docker-compose` (standalone), whichever answers; undefined when neither does. */
function composeCommand(): string[] | undefined {
  const candidates = [['docker', 'compose'], ['docker-compose']];
  return candidates.find(([cmd, ...args]) => {
    const v = spawnSync(cmd!, [...args, 'version'], { encoding: 'utf8', timeout: 5000 });
    return v.status === 0;
  });
}

/** True when a Docker engine answers `docker info` within a few seconds and a compose command is available. */
export function dockerAvailable(): boolean {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return info.status === 0 && composeCommand() !== undefined;
}

/** Runs a compose subcommand with output on the terminal; throws a StackError when it fails. */
export function compose(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const cmd = composeCommand();
  if (!cmd) {
    throw new StackError(
      'docker',
      'STACK=docker needs Docker with the compose plugin: https://docs.docker.com/engine/install/ ' +
        '(Debian: apt-get install -y docker.io docker-compose), or use STACK=native',
    );
  }
  const [bin, ...pre] = cmd;
  const run = spawnSync(bin!, [...pre, '-f', join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (run.status !== 0)
    throw new StackError('docker', `${cmd.join(' ')} ${args.join(' ')} failed (exit ${run.status})`);
}

/**
 * What docker-compose.yml interpolates from the environment for these settings: with PGBOUNCER=on the `pgbouncer`
 * profile and the replicas' way to it (API_DATABASE_URL, PG_TRANSACTION_POOLING), and STACK_PG_MAX_CONNECTIONS.
 */
export function composeEnv(settings: StackSettings): Record<string, string> {
  const topology = composeTopology(settings);
  return {
    STACK_PG_MAX_CONNECTIONS: String(settings.postgresMaxConnections),
    // Passed through when set, as natively (empty in docker-compose.yml otherwise: the services' own defaults).
    ...settings.protection,
    ...(settings.ingestBacklogLimit !== undefined && {
      INGEST_BACKLOG_LIMIT: String(settings.ingestBacklogLimit),
    }),
    ...(settings.workerBatchSize !== undefined && { WORKER_BATCH_SIZE: String(settings.workerBatchSize) }),
    ...(settings.workerBlockMs !== undefined && { WORKER_BLOCK_MS: String(settings.workerBlockMs) }),
    ...(topology.pgbouncer
      ? {
          COMPOSE_PROFILES: 'pgbouncer',
          API_DATABASE_URL: replicaDatabaseUrl(topology),
          PG_TRANSACTION_POOLING: 'on',
        }
      : {}),
  };
}

/** Builds and starts the compose stack and waits (compose's own --wait) until every healthcheck passes. */
export function dockerUp(settings: StackSettings) {
  const timeoutS = String(Math.round(settings.upTimeoutMs / 1000));
  compose(['up', '--detach', '--build', '--wait', '--wait-timeout', timeoutS], {
    ...process.env,
    ...composeEnv(settings),
  });
}

/** Down with every profile on, so a PgBouncer started with PGBOUNCER=on goes too. */
export const dockerDown = () =>
  compose(['down', '--remove-orphans'], { ...process.env, COMPOSE_PROFILES: 'pgbouncer' });
export const dockerStatus = () => compose(['ps', '--all']);
export const dockerLogs = (follow: boolean) =>
  compose(['logs', '--tail', '50', ...(follow ? ['--follow'] : [])]);
