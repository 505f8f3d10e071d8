import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';

// The failure lab's checkers end to end: FaultLabUser through `swarm run` on a native stack, first clean (split
// over two worker processes, so the ledgers travel from the workers to the parent's teardown), then with two
// defects planted behind the API's back — rows deleted in Postgres, older versions put into Redis — which the
// teardown must report as lost writes and stale reads.

interface Check {
  expression: string;
  actual: number | null;
  ok: boolean;
}
interface Section {
  title: string;
  rows: Array<Array<string | number | null>>;
  note?: string;
}
interface Summary {
  thresholds: Check[];
  metrics: Record<string, number>;
  sections?: Section[];
  total: { requests: number };
  partial?: unknown;
}

let stack: TestStack;
let db: pg.Client;
let dir = '';
beforeAll(async () => {
  stack = await upTestStack(3); // setup's contract pass checks three replicas
  db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${stack.postgresPort}/swarmgate` });
  await db.connect();
  dir = mkdtempSync(join(tmpdir(), 'swarmgate-fault-lab-'));
  mkdirSync(join(dir, 'tmp'));
});
afterAll(async () => {
  await db?.end();
  await downTestStack(stack);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function swarm(args: string[]): { done: Promise<{ code: number; out: string }>; exited: () => boolean } {
  let finished = false;
  const done = new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      join(REPO_ROOT, 'node_modules/.bin/swarm'),
      [
        'run',
        'scenarios/swarmgate.ts',
        'FaultLabUser',
        '--headless',
        // The lab modes' criteria, on the custom metrics that the lab user and the teardown count.
        '--threshold',
        'lost_writes==0',
        '--threshold',
        'stale_reads==0',
        '-H',
        `http://127.0.0.1:${stack.gatewayPort}`,
        ...args,
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          REPLICAS: '3',
          STACK_REDIS_PORT: String(stack.redisPort),
          STACK_PG_PORT: String(stack.postgresPort),
          DATABASE_URL: '',
          // The run's ledger folder goes here, where the test can see that the teardown removed it.
          TMPDIR: join(dir, 'tmp'),
        },
        timeout: 150_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        finished = true;
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: `${stdout}\n${stderr}` });
      },
    );
  });
  return { done, exited: () => finished };
}

const check = (s: Summary, expression: string) => s.thresholds.find((c) => c.expression === expression);
const section = (s: Summary, title: string) => s.sections?.find((x) => x.title === `Failure lab: ${title}`);
const readSummary = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Summary;
const maxId = async () => Number((await db.query('SELECT coalesce(max(id), 0) AS m FROM users')).rows[0].m);
const labDirsLeft = () => readdirSync(join(dir, 'tmp')).filter((n) => n.startsWith('swarmgate-lab-'));

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the failure lab’s checkers on a native stack', () => {
  it('find nothing lost and nothing stale in a clean run split over two processes', async () => {
    const file = join(dir, 'clean.json');
    const { code, out } = await swarm(['-u', '6', '-r', '6', '-t', '6s', '--processes', '2', '--json', file])
      .done;
    const s = readSummary(file);
    expect(s.partial, out).toBeUndefined();
    expect(s.metrics, out).toEqual({ lost_writes: 0, stale_reads: 0 });
    expect(check(s, 'lost_writes==0')).toMatchObject({ actual: 0, ok: true });
    expect(check(s, 'stale_reads==0')).toMatchObject({ actual: 0, ok: true });
    expect(check(s, 'lab_ledger_missing==0')).toEqual({
      expression: 'lab_ledger_missing==0',
      actual: 0,
      ok: true,
    });
    // The check judged real writes, from both workers' ledgers.
    const note = section(s, 'lost writes')?.note ?? '';
    expect(Number(/^(\d+) acknowledged writes/.exec(note)?.[1])).toBeGreaterThan(5);
    expect(note).toMatch(/2 process ledger\(s\)(?!,)/);
    expect(code, out).toBe(0);
    expect(labDirsLeft()).toEqual([]); // the teardown removed the run's ledgers
  });

  it('report rows deleted behind the API’s back as lost writes, and older cached versions as stale reads', async () => {
    const floor = await maxId();
    const file = join(dir, 'planted.json');
    const run = swarm(['-u', '8', '-r', '8', '-t', '10s', '--json', file]);
    const redis = new Redis({ port: stack.redisPort, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      // Lost writes: delete three of the rows the lab users created (and were told were created).
      const deleted = await until(
        'rows created by the lab users',
        async () => {
          const res = await db.query<{ id: string }>(
            `DELETE FROM users WHERE id IN (SELECT id FROM users WHERE id > $1 AND email LIKE 'lab-%'
               AND email NOT LIKE 'lab-shared-%' ORDER BY id LIMIT 3) RETURNING id`,
            [floor],
          );
          return res.rows.length > 0 ? res.rows.map((r) => Number(r.id)).sort((a, b) => a - b) : undefined;
        },
        60_000,
      );
      // Stale reads: while the run goes, put version 1 back into the cache for every shared row that the lab
      // users have updated since, as no replica may (the cache's scripts refuse a fill older than the entry).
      let planted = 0;
      while (!run.exited()) {
        const rows = await db.query<{ id: string; email: string; name: string }>(
          `SELECT id, email, name FROM users WHERE id > $1 AND email LIKE 'lab-shared-%' AND version >= 2`,
          [floor],
        );
        for (const r of rows.rows) {
          const user = { id: Number(r.id), email: r.email, name: r.name, version: 1 };
          await redis.set(`user:${r.id}`, `1|${JSON.stringify(user)}`);
          planted++;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const { code, out } = await run.done;
      expect(planted, out).toBeGreaterThan(0);
      const s = readSummary(file);
      expect(code, out).toBe(1);

      // Exactly the deleted rows are lost: each was acknowledged (or its 201 came later), none was deleted by a user.
      expect(s.metrics.lost_writes, out).toBe(deleted.length);
      expect(check(s, 'lost_writes==0')).toMatchObject({ actual: deleted.length, ok: false });
      const lost = section(s, 'lost writes')?.rows ?? [];
      expect(lost.map(([id]) => id)).toEqual(deleted);
      for (const [, acknowledged, postgres] of lost) {
        expect(acknowledged).toMatch(/^(created|updated to) v\d+$/);
        expect(postgres).toBe('missing');
      }

      const staleReads = s.metrics.stale_reads!;
      expect(staleReads, out).toBeGreaterThan(0);
      expect(check(s, 'stale_reads==0')).toMatchObject({ actual: staleReads, ok: false });
      // The users' count and the examples their ledger carried to the teardown agree.
      expect(section(s, 'stale reads')?.note).toMatch(new RegExp(`^${staleReads} reads older`));
      const examples = section(s, 'stale reads')?.rows ?? [];
      expect(examples.length).toBe(Math.min(10, staleReads));
      // Every example is the planted version, served from the cache by a replica the gateway names.
      for (const [, expected, got, upstream, instance, cache] of examples) {
        expect(String(expected)).toMatch(/^>= v\d+$/);
        expect(got).toBe('v1');
        expect(cache).toBe('HIT');
        expect(String(instance)).toMatch(/^app[123]$/);
        expect(String(upstream)).toMatch(/^127\.0\.0\.1:\d+$/);
      }
      expect(check(s, 'lab_ledger_missing==0')?.ok).toBe(true);
    } finally {
      redis.disconnect();
      await run.done;
    }
  });
});
