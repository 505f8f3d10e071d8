import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSandbox, FIXTURES, runCli, startCli } from './support/cli';
import { startTestServer, waitFor } from './support/test-server';

// How a run ends, and what it says about it: the exit code of failures without thresholds (Locust's rule), the
// open model's dropped iterations judged and shown, why the run stopped, and SIGTERM treated as Ctrl-C.

const scenario = join(FIXTURES, 'counter.ts');
const box = cliSandbox('swarm-end-');
const { path, read } = box;

const failing = () =>
  startTestServer((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
const plain = join(FIXTURES, 'plain.ts');
const run = (extra: string[], file = plain) =>
  runCli(['run', '--headless', file, '-u', '2', '-r', '100', '-t', '1s', '-H', box.server!.url, ...extra]);

describe('the exit code of a run with failures', () => {
  it('is 1 when every request failed, though no threshold is set (as Locust), and says why', async () => {
    box.server = await failing();
    const r = await run(['--json', path('failed.json')]);
    expect(read('failed.json').thresholds).toEqual([]);
    expect(read('failed.json').total.failures).toBe(read('failed.json').total.requests);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/swarm: exit 1: \d+ requests failed \(exit 1; --exit-code-on-error sets it/);
  });

  it('is what --exit-code-on-error says, and 0 leaves the verdict to the thresholds', async () => {
    box.server = await failing();
    expect((await run(['--exit-code-on-error', '7'])).code).toBe(7);
    expect((await run(['--exit-code-on-error', '0', '--threshold', 'rate<=1'])).code).toBe(0);
    // A failed threshold is 1 whatever the flag says (counter.ts has rate<0.5).
    expect((await run(['--exit-code-on-error', '7'], scenario)).code).toBe(1);
  });
});

describe('dropped iterations of the open model', () => {
  it('are judged by dropped and dropped_rate thresholds and shown beside the failures', async () => {
    // One user and answers of 300 ms against 20 arrivals/s: most arrivals cannot start within 100 ms.
    box.server = await startTestServer((_req, res) => {
      setTimeout(() => res.end('slow'), 300);
    });
    const r = await runCli([
      'run',
      '--headless',
      scenario,
      '--rate',
      '20/s',
      '--max-users',
      '1',
      '--max-delay',
      '100ms',
      '-t',
      '2s',
      '--stop-timeout',
      '5s',
      '-H',
      box.server.url,
      '--threshold',
      'dropped_rate<0.01',
      '--threshold',
      'dropped>=0',
      '--json',
      path('open.json'),
      '--html',
      path('open.html'),
    ]);
    const s = read('open.json');
    expect(s.dropped).toBeGreaterThan(10);
    expect(r.code).toBe(1);
    expect(s.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['rate<0.5', true],
      ['dropped_rate<0.01', false],
      ['dropped>=0', true],
    ]);
    expect(s.thresholds[1]!.actual).toBeCloseTo(s.dropped / (s.iterations + s.dropped), 6);
    expect(r.stdout).toMatch(
      new RegExp(
        `failures 0 \\(0\\.0%\\) · dropped ${s.dropped} of ${s.iterations + s.dropped} due iterations`,
      ),
    );
    expect(readFileSync(path('open.html'), 'utf8')).toMatch(
      /failures <b id="stat-failures">0\.0%<\/b><\/span> · <span>dropped <b id="stat-dropped">\d+\.\d%/,
    );
    expect(s.total.requests).toBe(box.server.total());
  });
});

describe('why the run stopped', () => {
  it('is in the JSON, the console and the HTML report', async () => {
    box.server = await startTestServer();
    const r = await run(['--json', path('stop.json'), '--html', path('stop.html')]);
    expect(r.code).toBe(0);
    expect(read('stop.json').stop).toEqual({ reason: 'run_time', detail: 'run time 1s reached' });
    expect(r.stdout).toContain('Stopped: run time 1s reached · failures 0 (0.0%)');
    expect(readFileSync(path('stop.html'), 'utf8')).toContain(
      '<p class="note" id="stop-reason">Stopped: run time 1s reached</p>',
    );
  });
});

describe('SIGTERM, as Kubernetes, CI runners and timeout send it', () => {
  for (const processes of ['1', '2']) {
    it(`stops the run, writes every report and exits with the verdict (--processes ${processes})`, async () => {
      box.server = await startTestServer();
      const json = path(`term-${processes}.json`);
      const cli = startCli([
        'run',
        '--headless',
        scenario,
        '-u',
        '4',
        '-r',
        '100',
        '-H',
        box.server.url,
        '--stop-timeout',
        '5s',
        '--processes',
        processes,
        '--json',
        json,
        '--html',
        path(`term-${processes}.html`),
      ]);
      await waitFor(() => box.server!.total() >= 40, 'the run to send 40 requests', 30_000);
      cli.child.kill('SIGTERM');
      const r = await cli.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('swarm: SIGTERM: stopping');
      const s = read(`term-${processes}.json`);
      expect(s.stop).toEqual({ reason: 'signal', detail: 'SIGTERM' });
      expect(s.total.requests + (s.interrupted ?? 0)).toBe(box.server.total());
      expect(s.config.processes).toBe(Number(processes));
      expect(readFileSync(path(`term-${processes}.html`), 'utf8')).toContain('Stopped: SIGTERM');
    });
  }
});
