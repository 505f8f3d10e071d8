import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Events, HttpUser, mergeSummaries, runSwarm, type Summary, User } from '../src/index';
import { DeficitSequence } from '../src/runner/apportion';
import { SegmentDealer } from '../src/runner/segment';
import { segmentClassCounts } from '../src/runner/spawn-plan';
import { FIXTURES, runCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class Reader extends HttpUser {
  static override weight = 3;
  static override tasks = ['read'];
  async read() {
    await this.client.get('/read');
  }
}

class Writer extends HttpUser {
  static override tasks = ['write'];
  async write() {
    await this.client.get('/write');
  }
}

/** Reads answer at once, writes after 20 ms: the pool is busy with both, in changing mixes. */
function countingServer() {
  return startTestServer((_req, res, url) => {
    if (url.pathname === '/write') setTimeout(() => res.end('w'), 20);
    else res.end('r');
  });
}

/** The classes (reads, writes) of the first `n` 3:1 arrivals dealt to `segment` of `segments`. */
function planned(n: number, segment = 0, segments = 1): [number, number] {
  const seq = new DeficitSequence([3, 1]);
  const dealer = new SegmentDealer(2, segments);
  const counts: [number, number] = [0, 0];
  for (let taken = 0; taken < n; ) {
    const cls = seq.next();
    if (dealer.deal(cls) !== segment) continue;
    counts[cls as 0 | 1] += 1;
    taken += 1;
  }
  return counts;
}

const rows = (s: Summary) => [
  s.endpoints.find((e) => e.name === '/read')?.requests ?? 0,
  s.endpoints.find((e) => e.name === '/write')?.requests ?? 0,
];

// Arrivals start in order; those still waiting for a user at the stop are dropped, so the iterations started are
// always the first ones of the sequence (a drop for lateness would need 5 s of waiting).
const open = { classes: [Reader, Writer], rate: 100, maxUsers: 20, runTimeS: 2, stopTimeoutS: 5 };

describe('class weights in the open model', () => {
  it('give N iterations 3N/4 readers and N/4 writers, whichever pooled user is free', async () => {
    server = await countingServer();
    const s = await runSwarm({ ...open, host: server.url });
    const n = s.iterations;
    expect(n).toBeGreaterThan(100);
    expect(rows(s)).toEqual(planned(n));
    if (n % 4 === 0) expect(rows(s)).toEqual([(3 * n) / 4, n / 4]);
    expect([server.counts.get('GET /read'), server.counts.get('GET /write')]).toEqual(planned(n));
  });

  it('in two segments, give each its share of the one sequence, and the merge the sum', async () => {
    server = await countingServer();
    const host = server.url;
    const parts = await Promise.all(
      [0, 1].map((index) => runSwarm({ ...open, host, segment: { index, count: 2 } })),
    );
    parts.forEach((s, index) => {
      expect(rows(s)).toEqual(planned(s.iterations, index, 2));
    });
    const merged = mergeSummaries(parts);
    expect(rows(merged)).toEqual([0, 1].map((c) => rows(parts[0]!)[c]! + rows(parts[1]!)[c]!));
    expect(merged.iterations).toBe(parts[0]!.iterations + parts[1]!.iterations);
    expect([server.counts.get('GET /read'), server.counts.get('GET /write')]).toEqual(rows(merged));
  });
  it('with --processes 2, give each worker its share of the one sequence and the merged report the sum', async () => {
    // Each worker's requests, by its pid and path.
    const byWorker = new Map<string, [number, number]>();
    server = await startTestServer((req, res, url) => {
      const mine = byWorker.get(String(req.headers['x-worker'])) ?? [0, 0];
      mine[url.pathname === '/write' ? 1 : 0] += 1;
      byWorker.set(String(req.headers['x-worker']), mine);
      res.end('ok');
    });
    const dir = mkdtempSync(join(tmpdir(), 'swarm-weights-'));
    try {
      const out = join(dir, 'run.json');
      const r = await runCli([
        'run',
        '--headless',
        join(FIXTURES, 'weighted.ts'),
        ...['--rate', '100/s', '--max-users', '20', '-t', '2s', '--stop-timeout', '5s', '--processes', '2'],
        ...['-H', server.url, '--json', out],
      ]);
      expect(r.code).toBe(0);
      const s = JSON.parse(readFileSync(out, 'utf8')) as Summary;
      const workers = [...byWorker.values()];
      expect(workers).toHaveLength(2);
      // Which worker ran which segment is not known here: one of the two ways round must match the plan exactly.
      const asPlanned = (order: number[]) =>
        workers.every(([reads, writes], i) => {
          const [r0, w0] = planned(reads + writes, order[i]!, 2);
          return reads === r0 && writes === w0;
        });
      expect(asPlanned([0, 1]) || asPlanned([1, 0])).toBe(true);
      expect(rows(s)).toEqual([0, 1].map((c) => workers[0]![c]! + workers[1]![c]!));
      expect(s.iterations).toBe(server.total());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('class weights in segments of the closed model', () => {
  it('keep 3:1 in each of two segments of 20 users (one ran 5 + 5, the other 10 + 0)', async () => {
    const started: string[][] = [[], []];
    const parts = await Promise.all(
      [0, 1].map((index) => {
        class Base extends User {
          static override abstract = true;
          static override tasks = ['idle'];
          override waitTime = () => 60;
          idle() {}
          override onStart() {
            started[index]!.push(this.constructor.name);
          }
        }
        class R extends Base {
          static override weight = 3;
        }
        class W extends Base {}
        const events = new Events();
        const stop = new AbortController();
        events.spawningComplete.add(() => stop.abort());
        return runSwarm({
          classes: [R, W],
          users: 20,
          spawnRate: 1000,
          segment: { index, count: 2 },
          events,
          signal: stop.signal,
        });
      }),
    );
    const counts = started.map((names) => [
      names.filter((n) => n === 'R').length,
      names.filter((n) => n === 'W').length,
    ]);
    const weighted = [3, 1].map((weight) => ({ weight, fixedCount: 0 }));
    expect(counts).toEqual(segmentClassCounts(weighted, 20, 2));
    expect(counts).toEqual([
      [7, 3],
      [8, 2],
    ]);
    expect(parts.map((s) => s.config.users)).toEqual([10, 10]);
  });
});
