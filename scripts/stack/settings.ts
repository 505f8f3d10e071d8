import { resolve } from 'node:path';

/**
 * The stack runner's settings, read from the environment in this one place (`make up REPLICAS=5` passes them).
 *
 * Defaults: STACK auto (docker when a Docker engine answers, else native), REPLICAS 3, BALANCE round_robin,
 * GATEWAY_PORT 8080, REPLICA_BASE_PORT 8001 (app1 on 8001, app2 on 8002, ...), STACK_PG_PORT 55432,
 * STACK_REDIS_PORT 56379 (not 5432/6379, so a system Postgres or Redis is never touched), STACK_DIR `.stack`,
 * STACK_UP_TIMEOUT_S 90, LOG_LEVEL info. A bad value throws a `SettingsError` naming the setting and what it accepts.
 */
export interface StackSettings {
  stack: 'auto' | 'docker' | 'native';
  replicas: number;
  balance: 'round_robin' | 'least_conn';
  gatewayPort: number;
  replicaBasePort: number;
  postgresPort: number;
  redisPort: number;
  database: string;
  /** Absolute path of the directory that holds pid files, logs, data and the rendered gateway config. */
  dir: string;
  upTimeoutMs: number;
  logLevel: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

type Source = Record<string, string | undefined>;

export const MAX_REPLICAS = 16;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export function loadSettings(source: Source = process.env, root = process.cwd()): StackSettings {
  const problems: string[] = [];
  const read = (key: string) => (source[key] === '' ? undefined : source[key]);

  const int = (key: string, fallback: number, min: number, max: number) => {
    const raw = read(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  const oneOf = <T extends string>(key: string, fallback: T, accepted: readonly T[]): T => {
    const raw = read(key) ?? fallback;
    if (!accepted.includes(raw as T)) {
      problems.push(`${key}: must be one of ${accepted.join(', ')} (got ${JSON.stringify(raw)})`);
    }
    return raw as T;
  };

  const settings: StackSettings = {
    stack: oneOf('STACK', 'auto', ['auto', 'docker', 'native'] as const),
    replicas: int('REPLICAS', 3, 1, MAX_REPLICAS),
    balance: oneOf('BALANCE', 'round_robin', ['round_robin', 'least_conn'] as const),
    gatewayPort: int('GATEWAY_PORT', 8080, 1, 65535),
    replicaBasePort: int('REPLICA_BASE_PORT', 8001, 1, 65535 - MAX_REPLICAS),
    postgresPort: int('STACK_PG_PORT', 55432, 1, 65535),
    redisPort: int('STACK_REDIS_PORT', 56379, 1, 65535),
    database: read('STACK_DATABASE') ?? 'swarmgate',
    dir: resolve(root, read('STACK_DIR') ?? '.stack'),
    upTimeoutMs: int('STACK_UP_TIMEOUT_S', 90, 1, 3600) * 1000,
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
  };
  if (!/^[A-Za-z0-9_]{1,63}$/.test(settings.database)) {
    problems.push(
      `STACK_DATABASE: must be 1-63 letters, digits or "_" (got ${JSON.stringify(settings.database)})`,
    );
  }
  const ports = [
    ['GATEWAY_PORT', settings.gatewayPort],
    ['STACK_PG_PORT', settings.postgresPort],
    ['STACK_REDIS_PORT', settings.redisPort],
  ] as const;
  const replicaPorts = [settings.replicaBasePort, settings.replicaBasePort + settings.replicas - 1];
  for (const [key, port] of ports) {
    if (port >= replicaPorts[0]! && port <= replicaPorts[1]!) {
      problems.push(
        `${key}: ${port} collides with the replicas' ports ${replicaPorts.join('-')} (REPLICA_BASE_PORT)`,
      );
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
