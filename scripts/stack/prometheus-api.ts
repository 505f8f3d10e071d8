import { json, probe } from './http-probe';
import type { ActiveTarget } from './scrape-targets';

/**
 * The few calls the stack runner makes to Prometheus's HTTP API (`base` is e.g. `http://127.0.0.1:9090`): one GET
 * on a fresh connection each, never on a hot path. Each throws with Prometheus's own error when it answers one.
 */
async function get(base: string, path: string, timeoutMs = 2000): Promise<unknown> {
  const res = await probe(`${base}${path}`, timeoutMs);
  const body = json(res);
  if (res.status !== 200 || body?.status !== 'success') {
    const why = typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new Error(`Prometheus at ${base} answered ${path.split('?')[0]} with ${why}`);
  }
  return body.data;
}

/** True once Prometheus has loaded its config and its storage (`/-/ready` answers 200). */
export async function prometheusReady(base: string): Promise<boolean> {
  return (await probe(`${base}/-/ready`)).status === 200;
}

/** `/api/v1/targets?state=active`: every target Prometheus scrapes under its current config. */
export async function activeTargets(base: string): Promise<ActiveTarget[]> {
  const data = (await get(base, '/api/v1/targets?state=active')) as { activeTargets: ActiveTarget[] };
  return data.activeTargets;
}

/** Prometheus's version (`/api/v1/status/buildinfo`), for `make health`. */
export async function prometheusVersion(base: string): Promise<string> {
  return ((await get(base, '/api/v1/status/buildinfo')) as { version: string }).version;
}

export interface Series {
  metric: Record<string, string>;
  /** `[unix seconds, value as text]`: one for an instant query, many for a range query. */
  values: [number, string][];
}

/** An instant query: each series with its one sample. Example: `await query(base, 'up{job="api"}')`. */
export async function query(base: string, promql: string): Promise<Series[]> {
  const data = (await get(base, `/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
  return data.result.map((r) => ({ metric: r.metric, values: [r.value] }));
}

/** A range query from `startS` to `endS` (unix seconds) every `stepS` seconds. */
export async function queryRange(
  base: string,
  promql: string,
  startS: number,
  endS: number,
  stepS: number,
): Promise<Series[]> {
  const params = new URLSearchParams({
    query: promql,
    start: String(startS),
    end: String(endS),
    step: String(stepS),
  });
  const data = (await get(base, `/api/v1/query_range?${params}`)) as { result: Series[] };
  return data.result;
}
