import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { FIXTURES, runCli, startCli } from './support/cli';
import { startTestServer, type TestServer, waitFor } from './support/test-server';

// Timeline annotations, custom metrics and recovery end to end: `swarm run` follows an --annotations file that
// this test appends to while the server answers 503 (as a mode runner does while it applies a fault), workers
// count metrics and annotate, and `swarm merge` keeps annotations and server series.

const scenario = join(FIXTURES, 'faulty.ts');
const dir = mkdtempSync(join(tmpdir(), 'swarm-faults-'));
const path = (f: string) => join(dir, f);
const read = (f: string) => JSON.parse(readFileSync(path(f), 'utf8')) as Summary;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that answers 503 while `state.failing`, counting its answers by status. */
async function switchableServer() {
  const state = { failing: false, ok: 0, failed: 0 };
  server = await startTestServer((_req, res) => {
    if (state.failing) {
      state.failed++;
      res.statusCode = 503;
    } else state.ok++;
    res.end('x');
  });
  return { state, url: server.url };
}

const line = (o: object) => `${JSON.stringify(o)}\n`;

describe('swarm run --annotations FILE', () => {
  it('keeps a fault window appended during the run, measures its recovery and judges recovery_s', async () => {
    const { state, url } = await switchableServer();
    const file = path('faults.jsonl');
    const run = startCli([
      'run',
      '--headless',
      scenario,
      ...['-u', '2', '-r', '100', '-t', '9s', '-H', url, '--stop-timeout', '5s'],
      ...['--annotations', file, '--annotations', path('notes.jsonl')],
      ...['--json', path('run.json'), '--html', path('run.html')],
      ...['--threshold', 'recovery_s<5', '--threshold', 'fault_failures{GET /}==0'],
      ...['--threshold', 'stale_reads==0', '--threshold', 'lost_writes==0', '--threshold', 'nothing==0'],
    ]);
    // The file does not exist at the start: it is created by the first fault.
    await waitFor(() => state.ok >= 100, 'healthy requests before the fault', 30_000);
    const at = Date.now();
    writeFileSync(file, line({ id: 'f1', at, label: 'server answers 503', kind: 'fault', source: 'test' }));
    // A second --annotations file, followed as well (a supervisor's, say).
    writeFileSync(path('notes.jsonl'), line({ id: 'n1', at, label: 'second file', kind: 'note' }));
    state.failing = true;
    await waitFor(() => state.failed >= 50, '503 answers', 30_000);
    state.failing = false;
    const end = Date.now();
    appendFileSync(file, 'not json\n');
    appendFileSync(file, line({ id: 'f1', end }));
    const { code, stdout, stderr } = await run.done;

    const s = read('run.json');
    expect(s.schema).toBe('swarm.summary/v2');
    expect(s.annotations.find((a) => a.id === 'f1')).toEqual({
      id: 'f1',
      at,
      end,
      label: 'server answers 503',
      kind: 'fault',
      source: 'test',
    });
    expect(s.annotations.map((a) => a.label)).toEqual(
      expect.arrayContaining(['setup ran', 'first read', 'second file']),
    );
    expect(stderr).toContain(`--annotations ${file}: line 2 ignored: not JSON`);
    expect(s.total.failures).toBe(state.failed);
    const [r] = s.recovery;
    expect(r).toMatchObject({ label: 'server answers 503', at, end, faultFailures: state.failed });
    expect(r!.failures).toBeGreaterThan(0);
    expect(r!.recoveryS).not.toBeNull();
    expect(r!.recoveryS!).toBeLessThan(5);
    expect(r!.endpoints).toEqual([
      expect.objectContaining({
        method: 'GET',
        name: '/',
        failures: state.failed,
        statuses: { '503': state.failed },
      }),
    ]);
    const verdicts = Object.fromEntries(s.thresholds.map((t) => [t.expression, t]));
    expect(verdicts['recovery_s<5']).toMatchObject({ ok: true, actual: r!.recoveryS });
    expect(verdicts['fault_failures{GET /}==0']).toMatchObject({ ok: false, actual: state.failed });
    expect(verdicts['stale_reads==0']).toMatchObject({ ok: true, actual: 0 });
    expect(verdicts['lost_writes==0']).toMatchObject({ ok: true, actual: 0 });
    expect(verdicts['nothing==0']).toMatchObject({ ok: false, actual: null });
    expect(verdicts['nothing==0']!.message).toMatch(/^no metric named nothing/);
    expect(code).toBe(1);
    expect(stderr).toMatch(/threshold nothing==0: nothing is no built-in metric nor in options.metrics/);
    expect(stdout).toMatch(/Faults and recovery[\s\S]*server answers 503/);
    expect(stdout).toMatch(/Timeline[\s\S]*setup ran/);
    const html = readFileSync(path('run.html'), 'utf8');
    expect(html).toMatch(
      /<rect class="annotation"[^>]*><title>fault: server answers 503 \([\d.]+s\)<\/title>/,
    );
  }, 90_000);
});

describe('custom metrics and annotations under --processes 2', () => {
  it("sums the workers' counts exactly and keeps every worker's annotations", async () => {
    const { state, url } = await switchableServer();
    const { code, stderr } = await runCli([
      'run',
      '--headless',
      scenario,
      ...['-u', '4', '-r', '100', '-t', '2s', '-H', url, '--stop-timeout', '5s', '--processes', '2'],
      ...['--json', path('workers.json'), '--threshold', 'reads>0', '--threshold', 'lost_writes==0'],
    ]);
    expect(code, stderr).toBe(0);
    const s = read('workers.json');
    expect(s.config.processes).toBe(2);
    expect(s.metrics).toEqual({ lost_writes: 0, reads: state.ok, stale_reads: 0 });
    expect(s.total.requests).toBe(state.ok);
    const firstReads = s.annotations.filter((a) => a.label === 'first read');
    expect(firstReads.map((a) => a.id).sort()).toEqual(['w1-1', 'w2-1']);
    expect(s.annotations.filter((a) => a.label === 'setup ran')).toHaveLength(1);
    expect(s.thresholds.every((t) => t.ok)).toBe(true);
  }, 90_000);
});

describe('swarm merge', () => {
  it("keeps the segments' annotations once, their metrics summed and their server series", async () => {
    const { url } = await switchableServer();
    const file = path('merge-faults.jsonl');
    const now = Date.now();
    writeFileSync(file, line({ id: 'f9', at: now + 500, end: now + 800, label: 'planned', kind: 'fault' }));
    const segment = (i: number) =>
      runCli([
        'run',
        '--headless',
        scenario,
        ...['-u', '2', '-r', '100', '-t', '2s', '-H', url, '--stop-timeout', '5s'],
        ...[
          '--segment',
          `${i}/2`,
          '--run-id',
          'merge-faults',
          '--annotations',
          file,
          '--json',
          path(`seg${i}.json`),
        ],
      ]);
    const runs = await Promise.all([segment(1), segment(2)]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // As if each segment had queried Prometheus (--prometheus): one point each of the same series.
    for (const [i, t] of [
      [1, 100],
      [2, 101],
    ] as const) {
      const s = read(`seg${i}.json`);
      s.server = {
        source: 'http://prom',
        stepS: 1,
        queries: [{ name: 'process_cpu_cores', query: 'q', unit: 'cores' }],
        series: [{ name: 'process_cpu_cores', labels: { instance: 'app1' }, points: [[t, i / 10]] }],
        warnings: [],
      };
      writeFileSync(path(`seg${i}.json`), JSON.stringify(s));
    }
    const merged = await runCli([
      'merge',
      path('seg1.json'),
      path('seg2.json'),
      ...['--json', path('merged.json'), '--threshold', 'recovery_s{planned}<100'],
    ]);
    const m = read('merged.json');
    expect(m.annotations.filter((a) => a.id === 'f9')).toEqual([
      { id: 'f9', at: now + 500, end: now + 800, label: 'planned', kind: 'fault', source: 'file' },
    ]);
    expect(m.annotations.filter((a) => a.label === 'first read')).toHaveLength(2);
    expect(m.metrics.reads).toBe(
      (read('seg1.json').metrics.reads ?? 0) + (read('seg2.json').metrics.reads ?? 0),
    );
    expect(m.server?.series).toEqual([
      {
        name: 'process_cpu_cores',
        labels: { instance: 'app1' },
        points: [
          [100, 0.1],
          [101, 0.2],
        ],
      },
    ]);
    expect(m.recovery).toHaveLength(1);
    expect(m.thresholds[0]!.expression).toBe('recovery_s{planned}<100');
    expect(merged.code, merged.stderr).toBe(m.thresholds[0]!.ok ? 0 : 1);
  }, 90_000);
});
