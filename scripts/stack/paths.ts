import { join } from 'node:path';

/**
 * The layout of the stack directory (`.stack/` by default):
 *
 *   state.json            what `up` started: kind (native or docker), replicas, ports
 *   pids/<part>.pid       one per process `up` started (postgres, redis, app1..appN, gateway, and with MONITOR=on
 *                         nginx-exporter, redis-exporter, postgres-exporter, prometheus)
 *   logs/<part>.log       its output; logs/gateway-access.log is the gateway's JSON access log
 *   postgres/             the database cluster (kept between `up`s; `make clean-stack` removes it)
 *   redis/                Redis's working directory (nothing is persisted: it is a cache)
 *   nginx/                the gateway's run directory (nginx.pid, temporary files); nginx/conf/ its rendered config
 *   pgbouncer/            pgbouncer.ini and userlist.txt, rendered by `up` when PGBOUNCER=on
 *   prometheus/           conf/prometheus.yml (rendered from monitoring/) and data/ (samples, PROMETHEUS_RETENTION)
 */
export interface StackPaths {
  root: string;
  state: string;
  pids: string;
  logs: string;
  postgresData: string;
  redisDir: string;
  nginxRun: string;
  nginxConf: string;
  pgbouncerDir: string;
  prometheusConf: string;
  prometheusData: string;
  pidFile(part: string): string;
  logFile(part: string): string;
}

export function stackPaths(root: string): StackPaths {
  const pids = join(root, 'pids');
  const logs = join(root, 'logs');
  return {
    root,
    state: join(root, 'state.json'),
    pids,
    logs,
    postgresData: join(root, 'postgres'),
    redisDir: join(root, 'redis'),
    nginxRun: join(root, 'nginx'),
    nginxConf: join(root, 'nginx', 'conf'),
    pgbouncerDir: join(root, 'pgbouncer'),
    prometheusConf: join(root, 'prometheus', 'conf'),
    prometheusData: join(root, 'prometheus', 'data'),
    pidFile: (part) => join(pids, `${part}.pid`),
    logFile: (part) => join(logs, `${part}.log`),
  };
}
