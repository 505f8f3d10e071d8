import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { bodyOf, freshDatabase, type OwnRedis, ownRedis } from '../../api/test/support/harness';
import {
  appendEvents,
  countRows,
  exitCode,
  pendingCount,
  Redis,
  spawnWorker,
  startWorkerProcess,
  type WorkerProcess,
} from './support';

const STREAM = 'events';
const GROUP = 'ingest';

describe('the ingest worker', () => {
  let redis: OwnRedis;
  let client: Redis;
  let databaseUrl: string;
  const started: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await ownRedis();
    client = new Redis(redis.url);
    databaseUrl = await freshDatabase();
  });
  afterAll(async () => {
    await Promise.all(started.map((w) => w.service.stop('SIGKILL')));
    client?.disconnect();
    await redis?.close();
  });

  async function worker(name: string, env: Record<string, string> = {}) {
    const w = await startWorkerProcess(name, databaseUrl, redis.url, env);
    started.push(w);
    return w;
  }

  it('refuses to start with a bad setting, naming it and what it accepts', async () => {
    const service = spawnWorker({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      WORKER_BATCH_SIZE: 'lots',
      INSERT_MODE: 'bulk',
    });
    expect(await exitCode(service)).toBe(1);
    expect(service.output()).toMatch(/WORKER_BATCH_SIZE: .*got "lots"/);
    expect(service.output()).toMatch(/INSERT_MODE: .*"batch".*"single".*got "bulk"/);
  });

  it('drains events appended before it started, in batches, and reports them on /health and /metrics', async () => {
    const run = `drain${Date.now()}`;
    await appendEvents(client, STREAM, run, 250);
    const w = await worker('drainer', { WORKER_BATCH_SIZE: '100' });
    await waitFor('all 250 rows', async () => (await countRows(databaseUrl, run)) === 250, 20_000);
    await waitFor('the stream to empty', async () => (await client.xlen(STREAM)) === 0);
    expect(await pendingCount(client, STREAM, GROUP)).toBe(0);

    const health = await bodyOf(await fetch(`${w.base}/health`));
    expect(health).toMatchObject({ status: 'ok', worker: 'drainer', processed: 250, inHand: 0 });
    expect(health.batches).toBeGreaterThanOrEqual(3);
    expect((await fetch(`${w.base}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${w.base}/metrics`)).text();
    expect(metrics).toMatch(/^ingest_events_processed_total\{worker="drainer"\} 250$/m);
    expect(metrics).toMatch(/^ingest_batch_size_count\{worker="drainer"\} [1-9]/m);
    expect(metrics).toMatch(/^ingest_insert_duration_seconds_count\{worker="drainer"\} [1-9]/m);
    expect(metrics).toMatch(/^ingest_backlog\{worker="drainer"\} 0$/m);
    expect(metrics).toMatch(/^ingest_pending\{worker="drainer"\} 0$/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total/m);
    await w.service.stop('SIGTERM');
  });

  it('writes one row per event id when the same events are appended twice', async () => {
    const run = `replay${Date.now()}`;
    await appendEvents(client, STREAM, run, 30);
    await appendEvents(client, STREAM, run, 30);
    const w = await worker('replayer', { INSERT_MODE: 'single' });
    await waitFor('the stream to empty', async () => (await client.xlen(STREAM)) === 0, 20_000);
    expect(await countRows(databaseUrl, run)).toBe(30);
    await w.service.stop('SIGTERM');
  });

  it('loses nothing when a worker is SIGKILLed with a batch in hand: another claims it after the idle time', async () => {
    const run = `kill${Date.now()}`;
    // The first worker holds every batch for a minute before inserting: it will die with one in hand.
    const slow = await worker('slow', { WORKER_INSERT_DELAY_MS: '60000', WORKER_BATCH_SIZE: '50' });
    await appendEvents(client, STREAM, run, 40);
    await waitFor('the slow worker to take the batch', async () => {
      return (await pendingCount(client, STREAM, GROUP)) === 40;
    });
    slow.service.child.kill('SIGKILL');
    await exitCode(slow.service);
    expect(await countRows(databaseUrl, run)).toBe(0);

    const rescuer = await worker('rescuer', { WORKER_CLAIM_IDLE_MS: '1000' });
    await waitFor('all 40 rows', async () => (await countRows(databaseUrl, run)) === 40, 20_000);
    await waitFor('nothing pending', async () => (await pendingCount(client, STREAM, GROUP)) === 0);
    const health = await bodyOf(await fetch(`${rescuer.base}/health`));
    expect(health.claimed).toBe(40);
    expect(await (await fetch(`${rescuer.base}/metrics`)).text()).toMatch(
      /^ingest_claimed_total\{worker="rescuer"\} 40$/m,
    );
    await rescuer.service.stop('SIGTERM');
  });

  it('on SIGTERM finishes the batch in hand (inserted and acknowledged) and exits 0', async () => {
    const run = `term${Date.now()}`;
    const w = await worker('terminated', { WORKER_INSERT_DELAY_MS: '1500', WORKER_BATCH_SIZE: '50' });
    await appendEvents(client, STREAM, run, 20);
    await waitFor(
      'the worker to take the batch',
      async () => (await pendingCount(client, STREAM, GROUP)) === 20,
    );
    w.service.child.kill('SIGTERM');
    expect(await exitCode(w.service)).toBe(0);
    expect(await countRows(databaseUrl, run)).toBe(20);
    expect(await pendingCount(client, STREAM, GROUP)).toBe(0);
    expect(await client.xlen(STREAM)).toBe(0);
    expect(w.service.output()).toContain('"msg":"stopped"');
  });

  it('answers /ready with 503 naming Postgres when the database is unreachable', async () => {
    const dead = `postgres://127.0.0.1:${await freePort()}/none`;
    const port = await freePort();
    const service = spawnWorker({
      DATABASE_URL: dead,
      REDIS_URL: redis.url,
      WORKER_NAME: 'nodb',
      WORKER_PORT: String(port),
      READY_TIMEOUT_MS: '500',
    });
    try {
      await waitFor('the worker to answer', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
      const res = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(res.status).toBe(503);
      const body = await bodyOf(res);
      expect(body.error.code).toBe('NOT_READY');
      expect(body.error.details.redis).toBe('ok');
      expect(body.error.details.postgres).not.toBe('ok');
    } finally {
      await service.stop('SIGKILL');
    }
  });
});
