import type { UserClass } from '../user/user';

/** One named range query: PromQL and the unit of its values (the chart says it beside the name). */
export interface ServerQuery {
  query: string;
  unit: string;
}

/** Queries by name, as a scenario or a profile declares them; a bare string is a query without a unit. */
export type ServerQueries = Record<string, ServerQuery | string | null>;

/**
 * What `--prometheus` asks for when nothing else is declared: the stack's saturation signals, named as
 * `attributeSaturation`'s rules expect them (`process_cpu_cores`, `nodejs_eventloop_lag_p99_seconds`,
 * `pg_pool_waiting_requests`, `redis_cpu_cores`), one series per replica where it has replicas. The metric names
 * are the replicas' own (prom-client's defaults and the pool gauges, job `api`) and those of Debian's exporters:
 * prometheus-redis-exporter (`redis_cpu_*_seconds_total`, `redis_commands_processed_total`),
 * prometheus-postgres-exporter (`pg_stat_database_numbackends`) and prometheus-nginx-exporter
 * (`nginx_connections_active`). Rates over 5 s: four 1 s scrapes, so one missed scrape leaves no gap.
 */
export const DEFAULT_SERVER_QUERIES: Readonly<Record<string, ServerQuery>> = {
  process_cpu_cores: {
    query: 'sum by (instance) (rate(process_cpu_seconds_total{job="api"}[5s]))',
    unit: 'cores',
  },
  nodejs_eventloop_lag_p99_seconds: {
    query: 'max by (instance) (nodejs_eventloop_lag_p99_seconds{job="api"})',
    unit: 's',
  },
  pg_pool_waiting_requests: {
    query: 'sum by (instance) (pg_pool_waiting_requests{job="api"})',
    unit: 'queries',
  },
  redis_cpu_cores: {
    query: 'sum(rate(redis_cpu_sys_seconds_total[5s])) + sum(rate(redis_cpu_user_seconds_total[5s]))',
    unit: 'cores',
  },
  redis_ops_per_second: { query: 'sum(rate(redis_commands_processed_total[5s]))', unit: 'ops/s' },
  pg_connections: { query: 'sum(pg_stat_database_numbackends)', unit: 'connections' },
  nginx_active_connections: { query: 'sum(nginx_connections_active)', unit: 'connections' },
};

/** A user class that declares server queries (`static serverQueries = { name: 'promql' }`). */
type WithQueries = UserClass & { serverQueries?: ServerQueries };

/**
 * The queries of a run (pure): the defaults, then each user class's `static serverQueries`, then the scenario's
 * `options.serverQueries` (a profile's), each adding or replacing by name; `null` removes one. Throws an `Error`
 * naming the query when one is not PromQL text.
 *
 * @example
 * resolveServerQueries([Reader], { queries_per_s: { query: 'sum(rate(db_queries_total[5s]))', unit: 'q/s' } });
 */
export function resolveServerQueries(
  classes: readonly UserClass[],
  ...more: Array<ServerQueries | undefined>
): Array<ServerQuery & { name: string }> {
  const merged: Record<string, ServerQuery | null> = { ...DEFAULT_SERVER_QUERIES };
  const layers = [...classes.map((c) => (c as WithQueries).serverQueries), ...more];
  for (const layer of layers) {
    for (const [name, q] of Object.entries(layer ?? {})) {
      if (q === null) merged[name] = null;
      else if (typeof q === 'string') merged[name] = { query: q, unit: '' };
      else if (typeof q?.query === 'string') merged[name] = { query: q.query, unit: q.unit ?? '' };
      else throw new Error(`serverQueries.${name}: need PromQL text or { query, unit }`);
    }
  }
  return Object.entries(merged)
    .filter((e): e is [string, ServerQuery] => e[1] !== null)
    .map(([name, q]) => ({ name, ...q }));
}
