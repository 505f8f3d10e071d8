import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the worker last read of its group (refreshed each second by the consumer). */
export interface GroupReading {
  backlog: number;
  pending: number;
  /** Age of the oldest entry not yet delivered, in seconds; 0 when none waits. */
  lagSeconds: number;
}

/**
 * The worker's Prometheus registry (one per process), `worker` as a constant label. Counters and histograms are
 * fed by the consumer; the group gauges read the last reading when scraped.
 */
export function createWorkerMetrics(worker: string, reading: () => GroupReading | undefined) {
  const registry = new Registry();
  registry.setDefaultLabels({ worker });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const gauge = (name: string, help: string, read: (r: GroupReading) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const r = reading();
        if (r) this.set(read(r));
      },
    });
  gauge('ingest_backlog', 'Stream entries not yet delivered to any worker of the group', (r) => r.backlog);
  gauge('ingest_pending', 'Stream entries delivered to a worker and not yet acknowledged', (r) => r.pending);
  gauge(
    'ingest_consumer_lag_seconds',
    'Age of the oldest stream entry not yet delivered (0 when none waits)',
    (r) => r.lagSeconds,
  );
  return {
    registry,
    processed: new Counter({
      name: 'ingest_events_processed_total',
      help: 'Events written to Postgres (or found there already) and acknowledged',
      registers,
    }),
    batchSize: new Histogram({
      name: 'ingest_batch_size',
      help: 'Entries in each batch the worker took from the stream',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000],
      registers,
    }),
    insertDuration: new Histogram({
      name: 'ingest_insert_duration_seconds',
      help: "Time to write one batch to Postgres (one INSERT, or INSERT_MODE=single's one per event)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    claimed: new Counter({
      name: 'ingest_claimed_total',
      help: 'Entries taken over from other consumers after WORKER_CLAIM_IDLE_MS (XAUTOCLAIM)',
      registers,
    }),
    redeliveries: new Counter({
      name: 'ingest_redeliveries_total',
      help: 'Entries processed that had been delivered before (claimed, or this consumer’s own pending at start)',
      registers,
    }),
    malformed: new Counter({
      name: 'ingest_malformed_total',
      help: 'Entries that were not events (missing fields): acknowledged and dropped, with a warning logged',
      registers,
    }),
    insertErrors: new Counter({
      name: 'ingest_insert_errors_total',
      help: 'Batch inserts that failed and were retried (the batch stays pending until it is written)',
      registers,
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
