import { createConnection } from 'node:net';
import { call } from './http';

/** What the servers counted at one moment: per replica requests (scrapes excluded) and cache outcomes; Redis's keyspace counters. */
export interface ServerCounts {
  replicas: Record<string, { requests: number; cache: { hit: number; miss: number; bypass: number } }>;
  redis: { hits: number; misses: number } | null;
}

/** Sums the samples of one Prometheus counter whose labels pass `keep`. */
export function sumCounter(
  text: string,
  metric: string,
  keep: (labels: string) => boolean = () => true,
): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const close = line.lastIndexOf('}');
    if (keep(line.slice(metric.length + 1, close))) total += Number(line.slice(close + 2));
  }
  return total;
}

/** Redis INFO stats over a raw connection (one command, no client library), bounded by a timeout. */
export function redisKeyspace(url: string): Promise<{ hits: number; misses: number } | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    let data = '';
    const done = (value: { hits: number; misses: number } | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const hits = /keyspace_hits:(\d+)/.exec(data);
      const misses = /keyspace_misses:(\d+)/.exec(data);
      if (hits && misses) done({ hits: Number(hits[1]), misses: Number(misses[1]) });
    });
    socket.write('INFO stats\r\n');
  });
}

/** Reads every replica's /appN/metrics through the gateway and Redis's counters. */
export async function serverCounts(host: string, replicas: number, redisUrl: string): Promise<ServerCounts> {
  const counts: ServerCounts = { replicas: {}, redis: await redisKeyspace(redisUrl) };
  for (let n = 1; n <= replicas; n++) {
    const res = await call(host, 'GET', `/app${n}/metrics`);
    if (res.status !== 200) continue;
    const outcome = (o: string) =>
      sumCounter(res.text, 'cache_requests_total', (l) => l.includes(`outcome="${o}"`));
    counts.replicas[`app${n}`] = {
      // The scrapes themselves are counted by the replica; they are not part of the load.
      requests: sumCounter(res.text, 'http_requests_total', (l) => !l.includes('route="/metrics"')),
      cache: { hit: outcome('hit'), miss: outcome('miss'), bypass: outcome('bypass') },
    };
  }
  return counts;
}
