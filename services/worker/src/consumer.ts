import type { Redis } from 'ioredis';
import { entryTimeMs } from '../../api/src/events/entry';
import { ensureGroup, readGroupState, type StreamNames } from '../../api/src/events/stream';
import type { Logger } from '../../api/src/observability/logger';
import { buildBatch, type RawEntry } from './batch';
import type { Inserter } from './insert';
import type { GroupReading, WorkerMetrics } from './metrics';

export interface ConsumerOptions extends StreamNames {
  /** This consumer's name in the group (WORKER_NAME). */
  name: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  /** Test knob (WORKER_INSERT_DELAY_MS): hold each batch this long before inserting it. */
  insertDelayMs: number;
  /** For every command but the blocking read. */
  redis: Redis;
  /** A connection of its own for XREADGROUP ... BLOCK, so a blocked read holds up nothing else. */
  reader: Redis;
  insert: Inserter;
  metrics: WorkerMetrics;
  log: Logger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRY_MS = 500;

/**
 * The consumer loop of one worker: first its own pending entries (left by an earlier run under the same name),
 * then, in turn, entries idle longer than `claimIdleMs` in other consumers' hands (XAUTOCLAIM: a dead worker's
 * batch) and new entries (XREADGROUP COUNT n BLOCK t). Each batch is inserted, then acknowledged and deleted from
 * the stream in one round trip; an entry is never acknowledged before its row is written, so a worker that dies
 * loses nothing, and an insert that fails is retried with the batch still in hand. `stop()` lets the batch in hand
 * finish (inserted and acknowledged) and resolves `run()`.
 */
export function createConsumer(o: ConsumerOptions) {
  const names: StreamNames = { stream: o.stream, group: o.group };
  const stats = { processed: 0, batches: 0, claimed: 0, redelivered: 0, inHand: 0 };
  let reading: GroupReading | undefined;
  let stopping = false;
  let lastError = '';

  function warnOnce(msg: string, err: unknown) {
    const text = err instanceof Error ? err.message : String(err);
    if (text !== lastError) o.log.warn(msg, { err: text });
    lastError = text;
  }

  async function process(entries: (RawEntry | [string, null])[], redelivered: boolean) {
    if (entries.length === 0) return;
    stats.inHand = entries.length;
    o.metrics.batchSize.observe(entries.length);
    if (redelivered) {
      stats.redelivered += entries.length;
      o.metrics.redeliveries.inc(entries.length);
    }
    const batch = buildBatch(entries);
    for (const problem of batch.malformed)
      o.log.warn('dropping a stream entry that is not an event', { problem });
    if (batch.malformed.length > 0) o.metrics.malformed.inc(batch.malformed.length);
    if (o.insertDelayMs > 0) await sleep(o.insertDelayMs);
    for (;;) {
      const end = o.metrics.insertDuration.startTimer();
      try {
        await o.insert(batch.rows);
        end();
        break;
      } catch (err) {
        o.metrics.insertErrors.inc();
        warnOnce('insert failed; retrying the batch', err);
        // Leave the batch pending: another worker (or this one, restarted) claims it after WORKER_CLAIM_IDLE_MS.
        if (stopping) return;
        await sleep(RETRY_MS);
      }
    }
    // Acknowledged, then deleted: the stream keeps only entries not yet written. If Redis fails here the entries
    // stay pending and are inserted again later, which ON CONFLICT DO NOTHING makes harmless.
    for (let attempt = 0; ; attempt++) {
      try {
        await o.redis
          .multi()
          .xack(o.stream, o.group, ...batch.ackIds)
          .xdel(o.stream, ...batch.ackIds)
          .exec();
        break;
      } catch (err) {
        warnOnce('acknowledging failed; retrying', err);
        if (stopping || attempt >= 10) break;
        await sleep(RETRY_MS);
      }
    }
    stats.processed += batch.rows.length;
    stats.batches++;
    stats.inHand = 0;
    o.metrics.processed.inc(batch.rows.length);
  }

  async function readOwnPending(): Promise<(RawEntry | [string, null])[]> {
    const res = (await o.redis.xreadgroup(
      'GROUP',
      o.group,
      o.name,
      'COUNT',
      o.batchSize,
      'STREAMS',
      o.stream,
      '0',
    )) as [string, (RawEntry | [string, null])[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  let claimCursor = '0-0';
  let nextClaimAt = 0;
  async function claim(): Promise<RawEntry[]> {
    const [cursor, entries] = (await o.redis.xautoclaim(
      o.stream,
      o.group,
      o.name,
      o.claimIdleMs,
      claimCursor,
      'COUNT',
      o.batchSize,
    )) as [string, RawEntry[], string[]];
    claimCursor = cursor;
    // A full scan of the pending list found nothing more: look again when an entry could have gone idle.
    if (cursor === '0-0') nextClaimAt = Date.now() + Math.max(100, o.claimIdleMs / 2);
    return entries.filter((e) => e[1] !== null);
  }

  async function readNew(): Promise<RawEntry[]> {
    const res = (await o.reader.xreadgroup(
      'GROUP',
      o.group,
      o.name,
      'COUNT',
      o.batchSize,
      'BLOCK',
      o.blockMs,
      'STREAMS',
      o.stream,
      '>',
    )) as [string, RawEntry[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  async function run() {
    let history = true;
    let groupReady = false;
    while (!stopping) {
      try {
        if (!groupReady) {
          await ensureGroup(o.redis, names);
          groupReady = true;
        }
        if (history) {
          const own = await readOwnPending();
          if (own.length === 0) history = false;
          else await process(own, true);
        } else if (Date.now() >= nextClaimAt) {
          const claimed = await claim();
          if (claimed.length > 0) {
            stats.claimed += claimed.length;
            o.metrics.claimed.inc(claimed.length);
            o.log.info('claimed idle entries', { count: claimed.length });
            await process(claimed, true);
          }
        } else {
          await process(await readNew(), false);
        }
        lastError = '';
      } catch (err) {
        // The stream or group was deleted (a flush): make it again and carry on.
        if (err instanceof Error && err.message.startsWith('NOGROUP')) groupReady = false;
        warnOnce('redis command failed; retrying', err);
        if (!stopping) await sleep(RETRY_MS);
      }
    }
  }

  /** Reads the group's backlog, pending count and the age of the oldest undelivered entry (for the metrics). */
  async function refresh() {
    try {
      const state = await readGroupState(o.redis, names);
      let lagSeconds = 0;
      if (state.backlog > 0) {
        const next = (await o.redis.xrange(
          o.stream,
          `(${state.lastDeliveredId}`,
          '+',
          'COUNT',
          1,
        )) as RawEntry[];
        const first = next[0];
        if (first) lagSeconds = Math.max(0, (Date.now() - entryTimeMs(first[0])) / 1000);
      }
      reading = { backlog: state.backlog, pending: state.pending, lagSeconds };
    } catch {
      // Redis is away: keep the last reading; the loop logs the failure.
    }
  }

  return {
    run,
    refresh,
    stop() {
      stopping = true;
    },
    stats: () => ({ ...stats }),
    reading: () => reading,
  };
}

export type Consumer = ReturnType<typeof createConsumer>;
