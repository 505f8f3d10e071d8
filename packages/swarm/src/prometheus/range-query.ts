import { request } from 'undici';
import type { ServerSeries } from '../stats/summary-types';

/** The window and resolution of a range query, in epoch seconds. */
export interface RangeWindow {
  start: number;
  end: number;
  stepS: number;
}

interface MatrixResponse {
  status: 'success' | 'error';
  error?: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
  };
}

/**
 * A matrix answer as series named `name` (pure): labels as Prometheus gave them without `__name__`, points at
 * whole epoch seconds inside the window (Prometheus evaluates at start + k·step, so a whole-second start keeps them
 * on `timeSeries`' seconds), `NaN` and infinite values left out.
 */
export function seriesFromMatrix(name: string, body: MatrixResponse, w: RangeWindow): ServerSeries[] {
  if (body.status !== 'success') throw new Error(body.error ?? 'Prometheus answered with an error');
  const data = body.data;
  if (data?.resultType !== 'matrix')
    throw new Error(`expected a matrix, got ${data?.resultType ?? 'nothing'}`);
  return data.result.map((r) => {
    const { __name__: _, ...labels } = r.metric;
    const points: Array<[number, number]> = [];
    for (const [t, v] of r.values) {
      const second = Math.round(t);
      const value = Number(v);
      if (second >= w.start && second <= w.end && Number.isFinite(value)) points.push([second, value]);
    }
    return { name, labels, points };
  });
}

/**
 * Runs one PromQL range query (`GET /api/v1/query_range`) over `w` and returns its series named `name`. Rejects
 * with an `Error` in words when Prometheus does not answer within `timeoutMs` (default 5000), answers with an
 * error (a bad query: its message) or with something that is not a matrix.
 *
 * @example
 * await rangeQuery('http://127.0.0.1:9090', 'cpu', 'rate(process_cpu_seconds_total[5s])',
 *   { start: 1764628200, end: 1764628260, stepS: 1 });
 */
export async function rangeQuery(
  baseUrl: string,
  name: string,
  query: string,
  w: RangeWindow,
  timeoutMs = 5000,
): Promise<ServerSeries[]> {
  const url = new URL('api/v1/query_range', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.search = new URLSearchParams({
    query,
    start: String(w.start),
    end: String(w.end),
    step: `${w.stepS}s`,
  }).toString();
  const res = await request(url, {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  let body: MatrixResponse;
  try {
    body = JSON.parse(text) as MatrixResponse;
  } catch {
    throw new Error(`HTTP ${res.statusCode}, not a Prometheus answer`);
  }
  return seriesFromMatrix(name, body, w);
}
