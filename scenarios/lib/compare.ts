import type { Summary, TeardownResult } from 'swarmgate-swarm';
import type { ServerCounts } from './server-side';

const ratio = (hit: number, miss: number) => (hit + miss === 0 ? null : hit / (hit + miss));
const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(2)}%`);

/**
 * The servers' view of a run beside the client's: the requests each replica counted against those the client
 * attributed to it (by X-Instance), and the cache hit ratio as the client, the replicas and Redis saw it.
 * Pure: it compares two snapshots and a summary.
 */
export function compareWithServers(
  before: ServerCounts,
  after: ServerCounts,
  summary: Summary,
  /** The gateway's GATEWAY_READ_TIMEOUT_S, in ms: past it, nginx retries a read on another replica. */
  gatewayReadTimeoutMs = Number(process.env.GATEWAY_READ_TIMEOUT_S || 10) * 1000,
): TeardownResult {
  const clientByReplica = summary.total.instances ?? {};
  const names = [...new Set([...Object.keys(after.replicas), ...Object.keys(clientByReplica)])].sort();
  let totalDiff = 0;
  let anyBelow = false;
  const requestRows = names.map((name) => {
    const client = clientByReplica[name] ?? 0;
    const a = after.replicas[name];
    const b = before.replicas[name];
    const server = a && b ? a.requests - b.requests : null;
    const diff = server === null ? null : server - client;
    totalDiff += Math.abs(diff ?? client);
    if (diff === null || diff < 0) anyBelow = true;
    return [name, client, server, diff];
  });

  const cacheDelta = { hit: 0, miss: 0, bypass: 0 };
  for (const [name, a] of Object.entries(after.replicas)) {
    const b = before.replicas[name];
    if (!b) continue;
    cacheDelta.hit += a.cache.hit - b.cache.hit;
    cacheDelta.miss += a.cache.miss - b.cache.miss;
    cacheDelta.bypass += a.cache.bypass - b.cache.bypass;
  }
  const client = summary.total.cache ?? {};
  const clientHit = client.HIT?.requests ?? 0;
  const clientMiss = client.MISS?.requests ?? 0;
  const redis =
    before.redis && after.redis
      ? { hits: after.redis.hits - before.redis.hits, misses: after.redis.misses - before.redis.misses }
      : null;

  const result: Required<TeardownResult> = {
    checks: [],
    sections: [
      {
        title: 'Server side: requests per replica',
        columns: ['replica', 'client attributed', 'replica counted', 'difference'],
        rows: requestRows,
        note: 'replica counted: the change of http_requests_total on /appN/metrics over the run, scrapes excluded',
      },
      {
        title: 'Server side: cache',
        columns: ['seen by', 'hits', 'misses', 'bypass', 'hit ratio'],
        rows: [
          [
            'client (X-Cache of reads)',
            clientHit,
            clientMiss,
            client.BYPASS?.requests ?? 0,
            pct(ratio(clientHit, clientMiss)),
          ],
          [
            'replicas (cache_requests_total)',
            cacheDelta.hit,
            cacheDelta.miss,
            cacheDelta.bypass,
            pct(ratio(cacheDelta.hit, cacheDelta.miss)),
          ],
          [
            'Redis (keyspace_hits/misses)',
            redis?.hits ?? null,
            redis?.misses ?? null,
            null,
            pct(redis ? ratio(redis.hits, redis.misses) : null),
          ],
        ],
        note:
          'replicas also count the ids of bulk lookups; Redis also counts the lookup that guards every cache fill ' +
          '(a miss) and every refresh after a write, so its ratio runs below the client’s by design',
      },
    ],
  };
  // A fault (the failure lab) may restart a replica or Redis, whose counters then start again from zero: their
  // counts stay in the tables for the reader, but no check compares them.
  const faulted = (summary.annotations ?? []).some((a) => a.kind === 'fault');
  if (faulted)
    result.sections[0]!.note +=
      '; not checked: faults were applied during this run, and a restarted replica counts from zero again';
  // A read slower than the gateway's read timeout was sent again to another replica (the gateway moves reads on
  // after a timeout): both replicas count it, the client once. Overload (the cpu lab without shedding) does that.
  const retried = summary.total.maxMs >= gatewayReadTimeoutMs;
  if (retried && !faulted)
    result.sections[0]!.note +=
      `; requests not checked: some took ${Math.round(summary.total.maxMs / 1000)} s, past the gateway's read ` +
      `timeout (${gatewayReadTimeoutMs / 1000} s), after which it sends a read to another replica and both count it`;
  // Exact only when nothing failed: a failed request may have reached a replica without the client learning which.
  // A request cut short by a forced stop was sent and may have been counted by a replica, never by the client:
  // each replica may then count more than the client saw, by at most the number cut short, never fewer.
  if (summary.total.failures === 0 && !faulted && !retried) {
    const interrupted = summary.interrupted ?? 0;
    if (interrupted === 0) {
      result.checks.push({ expression: 'server_request_diff==0', actual: totalDiff, ok: totalDiff === 0 });
    } else {
      result.checks.push({
        expression: `server_request_diff<=${interrupted}`,
        actual: totalDiff,
        ok: !anyBelow && totalDiff <= interrupted,
      });
    }
  }
  if (redis !== null && !faulted) {
    result.checks.push({
      expression: 'redis_hits>=client_hits',
      actual: redis.hits - clientHit,
      ok: redis.hits >= clientHit,
    });
  }
  return result;
}
