import { request } from 'node:http';

export interface ProbeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * One GET on a fresh connection, for health checks (never on a hot path): resolves with status, headers and body,
 * rejects on a connection error or after `timeoutMs`.
 */
export function probe(url: string, timeoutMs = 2000): Promise<ProbeResponse> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - start }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function json(res: ProbeResponse): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(res.body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
