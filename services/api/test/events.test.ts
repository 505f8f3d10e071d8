import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/ports';
import {
  countRows,
  pendingCount,
  Redis,
  startWorkerProcess,
  type WorkerProcess,
} from '../../worker/test/support';
import { bodyOf, freshDatabase, json, type OwnRedis, ownRedis, testApp, testEnv } from './support/harness';

type TestApp = Awaited<ReturnType<typeof testApp>>;

describe('POST /api/events with a worker behind it', () => {
  let redis: OwnRedis;
  let client: Redis;
  let databaseUrl: string;
  let db: pg.Client;
  let api: TestApp;
  let worker: WorkerProcess;
  const others: TestApp[] = [];
  const otherWorkers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await ownRedis();
    client = new Redis(redis.url);
    client.on('error', () => {}); // Redis is stopped on purpose in the last test
    databaseUrl = await freshDatabase();
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    api = await testApp(testEnv(databaseUrl, redis.url));
    worker = await startWorkerProcess('w1', databaseUrl, redis.url, { WORKER_BLOCK_MS: '200' });
  });
  afterAll(async () => {
    await Promise.all([worker, ...otherWorkers].map((w) => w?.service.stop('SIGKILL')));
    await Promise.all([api, ...others].map((a) => a?.deps.close()));
    await db?.end();
    client?.disconnect();
    await redis?.close();
  });

  const post = (app: TestApp, path: string, body: unknown) =>
    app.app.request(path, { method: 'POST', ...json(body) });

  const drained = (stream = 'events') =>
    waitFor(
      `the stream ${stream} to drain`,
      async () => (await client.xlen(stream)) === 0 && (await pendingCount(client, stream, 'ingest')) === 0,
      20_000,
    );

  it('answers 202 with the event id, and a worker stores the row', async () => {
    const run = `single${Date.now()}`;
    const res = await post(api, '/api/events', {
      type: 'page.view',
      runId: run,
      payload: { path: '/x', n: 1 },
    });
    expect(res.status).toBe(202);
    const body = await bodyOf(res);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.streamId).toMatch(/^\d+-\d+$/);
    await waitFor('the row', async () => (await countRows(databaseUrl, run)) === 1, 20_000);
    const row = (await db.query('SELECT * FROM events WHERE id = $1', [body.id])).rows[0];
    expect(row).toMatchObject({
      type: 'page.view',
      run_id: run,
      stream_id: body.streamId,
      payload: { path: '/x', n: 1 },
    });
    expect(row.ts).toBeInstanceOf(Date);
    expect(Math.abs(row.ts.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("keeps the client's id and timestamp", async () => {
    const id = `client-${Date.now()}`;
    const res = await post(api, '/api/events', {
      id,
      type: 'order',
      timestamp: '2026-01-02T03:04:05.678+01:00',
      payload: [1, 'two', null],
    });
    expect(res.status).toBe(202);
    expect((await bodyOf(res)).id).toBe(id);
    await waitFor(
      'the row',
      async () => (await db.query('SELECT 1 FROM events WHERE id = $1', [id])).rowCount === 1,
    );
    const row = (await db.query('SELECT * FROM events WHERE id = $1', [id])).rows[0];
    expect(row.ts.toISOString()).toBe('2026-01-02T02:04:05.678Z');
    expect(row.payload).toEqual([1, 'two', null]);
    expect(row.run_id).toBeNull();
  });

  it('takes a batch of 1-500 and stores each event once', async () => {
    const run = `batch${Date.now()}`;
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'tick', runId: run, payload: { i } }));
    const res = await post(api, '/api/events/batch', { events });
    expect(res.status).toBe(202);
    const body = await bodyOf(res);
    expect(body.count).toBe(500);
    expect(new Set(body.ids).size).toBe(500);
    await waitFor('500 rows', async () => (await countRows(databaseUrl, run)) === 500, 30_000);
  });

  it('refuses bad batches with 400 in the API error shape, queueing none of their events', async () => {
    const before = await client.xlen('events');
    const cases: [unknown, string][] = [
      [{ events: [] }, 'events'],
      [{ events: Array.from({ length: 501 }, () => ({ type: 't', payload: 1 })) }, 'events'],
      [
        {
          events: [
            { type: 't', payload: 1 },
            { type: 5, payload: 1 },
          ],
        },
        'events.1.type',
      ],
      [{ events: [{ type: 't' }] }, 'events.0.payload'],
      [{ events: [{ type: 't', payload: 1, timestamp: 'yesterday' }] }, 'events.0.timestamp'],
      [{ events: [{ type: 't', payload: 1, id: 'has space' }] }, 'events.0.id'],
      [{ events: [{ type: 't', payload: 1, extra: true }] }, 'events.0'],
      [{ event: [] }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await post(api, '/api/events/batch', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const err = (await bodyOf(res)).error;
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details.map((d: { path: string }) => d.path).join(' ')).toContain(path);
    }
    const single = await post(api, '/api/events', { payload: {} });
    expect(single.status).toBe(400);
    expect((await bodyOf(single)).error.details).toEqual([expect.objectContaining({ path: 'type' })]);
    expect(await client.xlen('events')).toBe(before);
  });

  it('refuses an oversized payload with 413 naming the event, queueing none of the batch', async () => {
    const small = await testApp(testEnv(databaseUrl, redis.url, { EVENT_PAYLOAD_MAX_BYTES: '100' }));
    others.push(small);
    const before = await client.xlen('events');
    const res = await post(small, '/api/events/batch', {
      events: [
        { type: 't', payload: 'x'.repeat(50) },
        { type: 't', payload: 'y'.repeat(200) },
      ],
    });
    expect(res.status).toBe(413);
    const err = (await bodyOf(res)).error;
    expect(err.code).toBe('EVENT_PAYLOAD_TOO_LARGE');
    expect(err.details).toEqual([
      { path: 'events.1.payload', message: expect.stringContaining('EVENT_PAYLOAD_MAX_BYTES (100)') },
    ]);
    expect((await post(small, '/api/events', { type: 't', payload: 'z'.repeat(99) })).status).toBe(413);
    expect(await client.xlen('events')).toBe(before);
    const metrics = await (await small.app.request('/metrics')).text();
    expect(metrics).toMatch(/^ingest_rejected_total\{reason="payload_too_large",instance="test1"\} 2$/m);
  });

  it('stores a replayed batch once: the same ids twice change nothing', async () => {
    const run = `replay${Date.now()}`;
    const events = Array.from({ length: 20 }, (_, i) => ({
      id: `${run}-${i}`,
      type: 't',
      runId: run,
      payload: { i },
    }));
    expect((await post(api, '/api/events/batch', { events })).status).toBe(202);
    await drained();
    const snapshot = async () =>
      (
        await db.query(
          'SELECT id, stream_id, inserted_at, payload FROM events WHERE run_id = $1 ORDER BY id',
          [run],
        )
      ).rows;
    const first = await snapshot();
    expect(first).toHaveLength(20);

    const replayed = events.map((e) => ({ ...e, payload: { replayed: true } }));
    expect((await post(api, '/api/events/batch', { events: replayed })).status).toBe(202);
    expect((await post(api, '/api/events', replayed[0])).status).toBe(202);
    await drained();
    expect(await snapshot()).toEqual(first);
  });

  it('answers 503 INGEST_BACKLOG_FULL with Retry-After past INGEST_BACKLOG_LIMIT, dropping nothing it accepted', async () => {
    const stream = `bp${Date.now()}`;
    const env = { INGEST_STREAM: stream, INGEST_BACKLOG_LIMIT: '5', INSTANCE_ID: 'bp' };
    const limited = await testApp(testEnv(databaseUrl, redis.url, env));
    others.push(limited);
    const run = `bp${Date.now()}`;
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 1000 && !refused; i++) {
      const res = await post(limited, '/api/events', { type: 't', runId: run, payload: { i } });
      if (res.status === 202) accepted++;
      else refused = res;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    const err = (await bodyOf(refused as Response)).error;
    expect(err.code).toBe('INGEST_BACKLOG_FULL');
    expect(err.details.limit).toBe(5);
    expect(accepted).toBeGreaterThanOrEqual(5);
    const batch = await post(limited, '/api/events/batch', { events: [{ type: 't', payload: 1 }] });
    expect(batch.status).toBe(503);
    // Everything answered 202 is still queued.
    expect(await client.xlen(stream)).toBe(accepted);
    const metrics = await (await limited.app.request('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`^ingest_accepted_total\\{instance="bp"\\} ${accepted}$`, 'm'));
    expect(metrics).toMatch(/^ingest_rejected_total\{reason="backlog_full",instance="bp"\} 2$/m);

    // A worker drains it: every accepted event is stored, and the API takes events again.
    const w = await startWorkerProcess('bpw', databaseUrl, redis.url, {
      INGEST_STREAM: stream,
      WORKER_BLOCK_MS: '200',
    });
    otherWorkers.push(w);
    await waitFor('all accepted rows', async () => (await countRows(databaseUrl, run)) === accepted, 20_000);
    await waitFor('the API to accept again', async () => {
      const res = await post(limited, '/api/events', { type: 't', runId: run, payload: 'again' });
      return res.status === 202;
    });
  });

  it('answers 503 INGEST_UNAVAILABLE, not a hang, while Redis is down', async () => {
    await redis.stop();
    try {
      const res = await post(api, '/api/events', { type: 't', payload: 1 });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await bodyOf(res)).error.code).toBe('INGEST_UNAVAILABLE');
      const batch = await post(api, '/api/events/batch', { events: [{ type: 't', payload: 1 }] });
      expect(batch.status).toBe(503);
    } finally {
      await redis.restart();
    }
    await waitFor('the API to queue again', async () => {
      const res = await post(api, '/api/events', { type: 't', payload: 'back' });
      return res.status === 202;
    });
  });
});
