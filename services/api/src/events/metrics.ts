import { Counter, Gauge, type Registry } from 'prom-client';

export type RejectReason = 'validation' | 'payload_too_large' | 'backlog_full' | 'redis_unavailable';

/**
 * The ingest path's series on the replica's registry: events accepted (queued, answered 202), events refused by
 * reason, and the group's backlog as this replica last read it (the same `ingest_backlog` the workers export).
 */
export function createIngestMetrics(registry: Registry, backlog: () => number | undefined) {
  const registers = [registry];
  const accepted = new Counter({
    name: 'ingest_accepted_total',
    help: 'Events queued on the ingest stream and answered 202',
    registers,
  });
  const rejected = new Counter({
    name: 'ingest_rejected_total',
    help: 'Events refused, by reason: validation, payload_too_large, backlog_full (503), redis_unavailable (503)',
    labelNames: ['reason'] as const,
    registers,
  });
  new Gauge({
    name: 'ingest_backlog',
    help: 'Stream entries not yet delivered to any worker, as this replica last read it',
    registers,
    collect() {
      const value = backlog();
      if (value !== undefined) this.set(value);
    },
  });
  const children = {
    validation: rejected.labels('validation'),
    payload_too_large: rejected.labels('payload_too_large'),
    backlog_full: rejected.labels('backlog_full'),
    redis_unavailable: rejected.labels('redis_unavailable'),
  };
  return {
    accepted: (n: number) => accepted.inc(n),
    rejected: (reason: RejectReason, n: number) => children[reason].inc(n),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
