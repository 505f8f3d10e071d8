/**
 * Ingest worker throughput from a pre-filled stream: INSERT_MODE=single (one INSERT and one commit per event, the
 * naive worker) against batch (one multi-row INSERT per batch, the reference's fix), with 1 and 2 workers, in the
 * same run on the same Postgres and Redis.
 *
 *   npx tsx bench/ingest-worker.ts [--events 20000] [--rounds 1] [--batch-size 100] [--fsync on|off]
 *
 * `--fsync on` (the default) runs Postgres as the stack does, each commit flushed to disk: that flush is what one
 * INSERT per event pays per event and a batch pays once. `off` is the test clusters' setting (no flush at all).
 *
 * Starts its own Postgres and Redis on free ports under a temporary directory. For each case and round: the
 * workers wait on the empty stream, all events are appended in one MULTI (so the workers wake to a full stream),
 * and the drain is timed from the entries' own time (their stream id) to the last row's inserted_at
 * (the last batch's transaction start, so a batch's insert time is left out at the end). Besides the rate it
 * reports the CPU each event cost the workers, Postgres and Redis, from /proc: that says where the time goes.
 * Stops everything it started at the end, also on failure. CI runs it in a tiny form (bench/benches.test.ts).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, waitFor } from '../scripts/lib/ports';
import { startPostgres } from '../scripts/lib/postgres';
import { type Service, startService } from '../scripts/lib/process';
import { startRedis } from '../scripts/lib/redis';
import { runMigrations } from '../services/api/src/db/migrate';
import { encodeEvent } from '../services/api/src/events/entry';
import { cpuSeconds, median } from './support/load';
import { benchScope, ready } from './support/scope';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '100' },
    fsync: { type: 'string', default: 'on' },
  },
});
if (values.fsync !== 'on' && values.fsync !== 'off') {
  console.error(`bench: --fsync must be on or off (got ${JSON.stringify(values.fsync)})`);
  process.exit(2);
}
const durable = values.fsync === 'on';
const count = (flag: 'events' | 'rounds' | 'batch-size', max: number) => {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(
      `bench: --${flag} must be an integer from 1 to ${max} (got ${JSON.stringify(values[flag])})`,
    );
    process.exit(2);
  }
  return n;
};
const events = count('events', 1_000_000);
const rounds = count('rounds', 100);
const batchSize = count('batch-size', 10_000);

interface Case {
  label: string;
  mode: 'single' | 'batch';
  workers: number;
}
const CASES: Case[] = [
  { label: 'INSERT_MODE=single, 1 worker', mode: 'single', workers: 1 },
  { label: 'INSERT_MODE=batch, 1 worker', mode: 'batch', workers: 1 },
  { label: 'INSERT_MODE=single, 2 workers', mode: 'single', workers: 2 },
  { label: 'INSERT_MODE=batch, 2 workers', mode: 'batch', workers: 2 },
];

interface Result {
  rate: number;
  drainS: number;
  workerUs: number;
  postgresUs: number;
  redisUs: number;
}

const scope = benchScope('swarmgate-bench-ingest-');
try {
  const postgres = await startPostgres({
    dataDir: join(scope.root, 'pg'),
    port: await freePort(),
    database: 'bench',
    ephemeral: !durable,
  });
  scope.add(postgres);
  const redisPort = await freePort();
  const redisService = scope.add(await startRedis({ port: redisPort, dir: scope.root }));
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  await runMigrations(postgres.url);
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  const redis = new Redis(redisUrl);
  // Stopped under them by scope.stopAll() if a case fails: the failure is reported, not these.
  db.on('error', () => {});
  redis.on('error', () => {});

  const STREAM = 'bench';
  /** One worker process on the bench's stream, once /ready answers (tsx compiles on start: slow on a busy machine). */
  async function startWorker(mode: Case['mode'], name: string): Promise<Service> {
    const port = await freePort();
    const service = scope.add(
      startService('worker', process.execPath, ['--import', 'tsx', 'services/worker/src/index.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: postgres.url,
          REDIS_URL: redisUrl,
          WORKER_NAME: name,
          WORKER_PORT: String(port),
          WORKER_BATCH_SIZE: String(batchSize),
          INSERT_MODE: mode,
          INGEST_STREAM: STREAM,
          LOG_LEVEL: 'warn',
        },
      }),
    );
    await ready(service, `http://127.0.0.1:${port}/ready`, 120_000);
    return service;
  }

  /** Drains `events` new events with `workers` (idle, waiting on the empty stream). */
  async function measure(c: Case, round: number, workers: Service[]): Promise<Result> {
    const run = `${c.mode}-${c.workers}-${round}-${Date.now()}`;
    await db.query('TRUNCATE events');
    const pids = workers.map((s) => s.child.pid as number);
    const cpu = () => ({
      workers: cpuSeconds(pids) ?? Number.NaN,
      postgres: cpuSeconds([postgres.child.pid as number]) ?? Number.NaN,
      redis: cpuSeconds([redisService.child.pid as number]) ?? Number.NaN,
    });

    // One MULTI: the workers, blocked on the empty stream, wake to all of it at once.
    const multi = redis.multi();
    const ts = new Date().toISOString();
    for (let i = 0; i < events; i++) {
      const payload = JSON.stringify({ i, path: '/api/things', status: 200, ms: 12.5, agent: 'bench' });
      multi.xadd(STREAM, '*', ...encodeEvent({ id: `${run}-${i}`, type: 'bench', ts, runId: run, payload }));
    }
    const before = cpu();
    const replies = (await multi.exec()) ?? [];
    const firstId = String(replies[0]?.[1]);
    const startMs = Number(firstId.slice(0, firstId.indexOf('-')));
    await waitFor(
      `${c.label} to drain ${events} events`,
      async () => {
        const r = await db.query('SELECT count(*)::int AS n FROM events WHERE run_id = $1', [run]);
        return r.rows[0].n === events;
      },
      600_000,
      20,
    );
    const after = cpu();
    const last = await db.query('SELECT max(inserted_at) AS t FROM events WHERE run_id = $1', [run]);
    const drainS = Math.max(0.001, ((last.rows[0].t as Date).getTime() - startMs) / 1000);
    const perEventUs = (a: number, b: number) => ((b - a) * 1e6) / events;
    return {
      rate: events / drainS,
      drainS,
      workerUs: perEventUs(before.workers, after.workers),
      postgresUs: perEventUs(before.postgres, after.postgres),
      redisUs: perEventUs(before.redis, after.redis),
    };
  }

  console.error(
    `bench: ${events} events, batch size ${batchSize}, fsync ${values.fsync}, ${rounds} round(s), modes alternating`,
  );
  const results = new Map<Case, Result[]>(CASES.map((c) => [c, []]));
  // Per round and mode, one worker measures the 1-worker case, then a second joins it for the 2-worker case: four
  // worker starts a round instead of six. The stream is empty between cases (workers delete what they wrote).
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['single', 'batch'] as const) {
      const workers = [await startWorker(mode, `${mode}1`)];
      for (const c of CASES.filter((k) => k.mode === mode)) {
        while (workers.length < c.workers)
          workers.push(await startWorker(mode, `${mode}${workers.length + 1}`));
        const result = await measure(c, r, workers);
        results.get(c)?.push(result);
        console.error(
          `  round ${r + 1} ${c.label}: ${Math.round(result.rate)} events/s (${result.drainS.toFixed(2)} s); ` +
            `CPU µs/event workers ${result.workerUs.toFixed(1)}, Postgres ${result.postgresUs.toFixed(1)}, ` +
            `Redis ${result.redisUs.toFixed(1)}`,
        );
      }
      await Promise.all(workers.map((w) => w.stop('SIGTERM', 10_000)));
    }
  }
  await db.end();
  redis.disconnect();

  const med = (c: Case, key: keyof Result) => median((results.get(c) ?? []).map((r) => r[key]));
  const row = (c: Case) =>
    `| ${c.label} | ${Math.round(med(c, 'rate'))} | ${med(c, 'drainS').toFixed(2)} | ` +
    `${med(c, 'workerUs').toFixed(1)} | ${med(c, 'postgresUs').toFixed(1)} | ${med(c, 'redisUs').toFixed(1)} |`;
  const [single1, batch1, single2, batch2] = CASES as [Case, Case, Case, Case];
  const ratio = (a: Case, b: Case) => (med(a, 'rate') / med(b, 'rate')).toFixed(1);
  console.log(
    [
      `${events} events from a pre-filled stream, batch size ${batchSize}, fsync ${values.fsync} (median of ${rounds} round(s))`,
      '',
      '| case | events/s | drain s | worker CPU µs/event | Postgres CPU µs/event | Redis CPU µs/event |',
      '|---|---|---|---|---|---|',
      ...CASES.map(row),
      '',
      `batch / single, 1 worker: ${ratio(batch1, single1)}x (goal >= 10x)`,
      `2 workers / 1 worker: batch ${ratio(batch2, batch1)}x, single ${ratio(single2, single1)}x`,
    ].join('\n'),
  );
} finally {
  await scope.stopAll();
}
