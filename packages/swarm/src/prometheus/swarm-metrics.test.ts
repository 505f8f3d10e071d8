import { describe, expect, it } from 'vitest';
import { sampleSummary } from '../report/test-support';
import { bucketCounts, createSwarmMetrics, LATENCY_BUCKETS_S } from './swarm-metrics';

const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('swarm_'));

describe('createSwarmMetrics', () => {
  it('exposes requests, failures and latency per (method, name), users and the open model from the summary', async () => {
    const s = sampleSummary();
    const text = await createSwarmMetrics({
      summary: () => ({ ...s, dropped: 4, iterations: 40 }),
      usersByClass: () => ({ Reader: 3 }),
    }).text();
    const got = lines(text);
    expect(got).toContain('swarm_requests_total{method="GET",name="/users/:id"} 10');
    expect(got).toContain('swarm_request_failures_total{method="POST",name="create, \\"quoted\\""} 1');
    expect(got).toContain('swarm_users 3');
    expect(got).toContain('swarm_users_by_class{class="Reader"} 3');
    expect(got).toContain('swarm_dropped_iterations_total 4');
    expect(got).toContain('swarm_iterations_total 40');
    // Ten requests of 10..100 ms: 5 within 50 ms, all within 100 ms, sum 0.55 s.
    const row = '{method="GET",name="/users/:id"';
    expect(got).toContain(`swarm_request_duration_seconds_bucket${row},le="0.05"} 5`);
    expect(got).toContain(`swarm_request_duration_seconds_bucket${row},le="0.1"} 10`);
    expect(got).toContain(`swarm_request_duration_seconds_bucket${row},le="+Inf"} 10`);
    expect(got).toContain(`swarm_request_duration_seconds_count${row}} 10`);
    expect(got).toContain(`swarm_request_duration_seconds_sum${row}} 0.55`);
    expect(text).toContain('# TYPE swarm_request_duration_seconds histogram');
    expect(text).toContain('# TYPE swarm_requests_total counter');
    // This process's own CPU and event loop, from prom-client's defaults.
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('says nothing of a run before the first one', async () => {
    const got = lines(await createSwarmMetrics({ summary: () => null }).text());
    expect(got).toEqual([]);
  });

  it("reads the engine's last sampled second as cores and seconds", async () => {
    const s = sampleSummary();
    const p = s.timeSeries[0]!;
    const timeSeries = [
      { ...p, engineCpuPercent: 45, eventLoopLagMs: 12 },
      { ...p, t: p.t + 1 },
    ];
    const got = lines(await createSwarmMetrics({ summary: () => ({ ...s, timeSeries }) }).text());
    expect(got).toContain('swarm_cpu_cores 0.45');
    expect(got).toContain('swarm_eventloop_lag_p99_seconds 0.012');
  });
});

describe('bucketCounts', () => {
  it('counts cumulatively at each bound', () => {
    const { counts, total } = bucketCounts(sampleSummary().endpoints[0]!.hist, LATENCY_BUCKETS_S);
    expect(total).toBeGreaterThan(0);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts.at(-1)).toBe(total);
  });
});
