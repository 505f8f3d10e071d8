/**
 * When a Swarm run starts: the first moment its own /metrics (`--metrics-port`) reports a running user. Setup (the
 * contract pass, seeding) comes before, so a fault schedule counted from here falls where the load is.
 */
import { request } from 'undici';

const POLL_MS = 200;

/** `swarm_users N` from a Prometheus text page; 0 when absent. */
export function usersOf(metricsText: string): number {
  const m = /^swarm_users (\S+)$/m.exec(metricsText);
  return m ? Number(m[1]) || 0 : 0;
}

/**
 * Polls `metricsUrl` (e.g. http://127.0.0.1:9646/metrics) every 200 ms until `swarm_users` is above 0 and resolves
 * with that moment (epoch ms); resolves null when `signal` aborts first (the run ended or was stopped). Refused
 * connections are expected until Swarm's setup is done and its metrics server listens.
 */
export async function waitForRunStart(metricsUrl: string, signal: AbortSignal): Promise<number | null> {
  while (!signal.aborted) {
    try {
      const res = await request(metricsUrl, { headersTimeout: 2000, bodyTimeout: 2000, signal });
      const text = await res.body.text();
      if (res.statusCode === 200 && usersOf(text) > 0) return Date.now();
    } catch {
      // Not listening yet (setup runs first), or aborted: the loop's condition decides.
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return null;
}
