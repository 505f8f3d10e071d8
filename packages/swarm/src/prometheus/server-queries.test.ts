import { describe, expect, it } from 'vitest';
import { HttpUser } from '../user/http-user';
import { DEFAULT_SERVER_QUERIES, resolveServerQueries } from './server-queries';

describe('resolveServerQueries', () => {
  it('starts from the defaults, named as the saturation rules expect', () => {
    const names = resolveServerQueries([]).map((q) => q.name);
    expect(names).toEqual(Object.keys(DEFAULT_SERVER_QUERIES));
    expect(names).toContain('process_cpu_cores');
    expect(DEFAULT_SERVER_QUERIES.process_cpu_cores!.query).toContain('process_cpu_seconds_total{job="api"}');
  });

  it("adds and replaces by name: classes' static serverQueries, then the scenario's; null removes one", () => {
    class Reader extends HttpUser {
      static serverQueries = { db_qps: { query: 'sum(rate(db_queries_total[5s]))', unit: 'queries/s' } };
    }
    const queries = resolveServerQueries([Reader], {
      nginx_active_connections: null,
      process_cpu_cores: 'rate(process_cpu_seconds_total[10s])',
    });
    const byName = Object.fromEntries(queries.map((q) => [q.name, q]));
    expect(byName.db_qps).toEqual({
      name: 'db_qps',
      query: 'sum(rate(db_queries_total[5s]))',
      unit: 'queries/s',
    });
    expect(byName.process_cpu_cores).toEqual({
      name: 'process_cpu_cores',
      query: 'rate(process_cpu_seconds_total[10s])',
      unit: '',
    });
    expect(byName.nginx_active_connections).toBeUndefined();
  });

  it('names a query that is not PromQL text', () => {
    expect(() => resolveServerQueries([], { bad: { unit: 's' } as never })).toThrow('serverQueries.bad');
  });
});
