import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { type Service, startService } from '../../../scripts/lib/process';
import { encodeEvent, type StreamEvent } from '../../api/src/events/entry';

const WORKER_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface WorkerProcess {
  service: Service;
  base: string;
  name: string;
}

/** Starts `tsx src/index.ts` as the stack would (node --import tsx, so signals reach it), without waiting. */
export function spawnWorker(env: Record<string, string>): Service {
  return startService('worker', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: WORKER_DIR,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
}

/** A worker process on a free port, once its /health answers. */
export async function startWorkerProcess(
  name: string,
  databaseUrl: string,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const service = spawnWorker({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    WORKER_NAME: name,
    WORKER_PORT: String(port),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `worker ${name} to answer`,
      async () => {
        if (service.child.exitCode !== null) throw new Error(`worker exited:\n${service.output()}`);
        return (await fetch(`${base}/health`)).ok;
      },
      30_000,
    );
  } catch (err) {
    await service.stop('SIGKILL');
    throw err;
  }
  return { service, base, name };
}

export function exitCode(service: Service): Promise<number | null> {
  const child = service.child;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** `n` events of run `runId`, ids `<runId>-<i>`, appended to the stream as the API would. */
export async function appendEvents(redis: Redis, stream: string, runId: string, n: number, from = 0) {
  const events: StreamEvent[] = [];
  for (let i = from; i < from + n; i++) {
    events.push({
      id: `${runId}-${i}`,
      type: 'test',
      ts: new Date().toISOString(),
      runId,
      payload: JSON.stringify({ i, note: 'x' }),
    });
  }
  // One transaction: a worker blocked on the stream wakes to all of them at once, not to the first alone.
  const pipeline = redis.multi();
  for (const e of events) pipeline.xadd(stream, '*', ...encodeEvent(e));
  await pipeline.exec();
  return events;
}

/** Rows of run `runId` in the events table. */
export async function countRows(databaseUrl: string, runId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query('SELECT count(*)::int AS n FROM events WHERE run_id = $1', [runId]);
    return r.rows[0].n;
  } finally {
    await client.end();
  }
}

/** The group's pending count (XPENDING's summary), 0 when the group does not exist yet. */
export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  try {
    const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
    return Number(summary[0]);
  } catch {
    return 0;
  }
}

export { Redis };
