import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Behaviour } from './behaviour';

/**
 * The downstream's Prometheus registry: its answers by outcome and their time, and the behaviour it was told to
 * have (so a report can draw the degradation beside what the API saw). `behaviour` is read only when scraped.
 */
export function createMetrics(instance: string, behaviour: () => Behaviour) {
  const registry = new Registry();
  registry.setDefaultLabels({ instance });
  collectDefaultMetrics({ register: registry });
  const answers = new Counter({
    name: 'downstream_work_requests_total',
    help: 'GET /work answers by outcome: ok, or failed (drawn at the error rate)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'downstream_work_duration_seconds',
    help: 'Time from receiving GET /work to answering it (the drawn latency, plus scheduling)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const setting = (name: string, help: string, read: (b: Behaviour) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(behaviour()));
      },
    });
  setting(
    'downstream_latency_setting_seconds',
    'The latency GET /work is set to add',
    (b) => b.latencyMs / 1000,
  );
  setting(
    'downstream_jitter_setting_seconds',
    'The jitter around that latency (±, uniform)',
    (b) => b.jitterMs / 1000,
  );
  setting(
    'downstream_error_rate_setting',
    'The share of GET /work answers set to fail (0..1)',
    (b) => b.errorRate,
  );
  const ok = answers.labels('ok');
  const failed = answers.labels('failed');
  return {
    registry,
    answered(fail: boolean, seconds: number) {
      (fail ? failed : ok).inc();
      duration.observe(seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
