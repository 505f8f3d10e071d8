import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliSandbox, FIXTURES, headlessRun, runCli, startCli } from './support/cli';
import { waitFor } from './support/test-server';

const scenario = join(FIXTURES, 'counter.ts');
const box = cliSandbox('swarm-start-');

/** A server listening on every loopback address that records each request's arrival time and source address. */
interface SeenServer {
  url: string;
  seen: Array<{ at: number; from: string }>;
  close(): Promise<void>;
}
let server: Server | undefined;
async function startSeenServer(): Promise<SeenServer> {
  const seen: SeenServer['seen'] = [];
  server = createServer((req, res) => {
    seen.push({ at: Date.now(), from: req.socket.remoteAddress ?? '' });
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server!.listen(0, '0.0.0.0', resolve));
  const s = server;
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

const inS = (ms: number) => ((Date.now() + ms) / 1000).toFixed(3);

describe('swarm run --start-at', () => {
  it('refuses a start more than 2 s past, naming --start-at, before sending anything', async () => {
    const target = await startSeenServer();
    const r = await runCli([...headlessRun(scenario, target.url), '--start-at', inS(-10_000)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/swarm: --start-at: it was \d+\.\d s ago .* the grace is 2 s/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(target.seen).toHaveLength(0);
  });

  it('refuses a start that setup() made more than 2 s late, before any user starts', async () => {
    const target = await startSeenServer();
    // Valid when the command starts (it starts within 20 s), 3 s past when setup() returns.
    const startAt = Date.now() + 20_000;
    const r = await runCli(
      [...headlessRun(join(FIXTURES, 'slow-setup.ts'), target.url), '--start-at', String(startAt / 1000)],
      { SETUP_UNTIL: String(startAt + 3000) },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/swarm: --start-at: it was \d+\.\d s ago/);
    expect(target.seen).toHaveLength(0);
  });

  it('refuses what is not epoch seconds, and --start-at without --headless', async () => {
    const bad = await runCli([
      'run',
      '--headless',
      scenario,
      '-H',
      'http://127.0.0.1:1',
      '--start-at',
      'soon',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--start-at: "soon" is not a time; give epoch seconds/);
    const web = await runCli(['run', scenario, '--start-at', inS(5000)]);
    expect(web.code).toBe(2);
    expect(web.stderr).toMatch(/--start-at is for --headless runs/);
  });

  it('waits until the instant, says so, and records the planned start in the summary', async () => {
    const target = await startSeenServer();
    // Ahead by the CLI's own start-up (tsx, the scenario: seconds on a busy machine) and a wait of a few seconds.
    const startAt = Number(inS(8000));
    const r = await runCli([
      ...headlessRun(scenario, target.url),
      '--start-at',
      String(startAt),
      '--json',
      box.path('waited.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/swarm: starting at \d{4}-\d\d-\d\dT[\d:.]+Z, in \d+\.\d s/);
    const s = box.read('waited.json');
    expect(s.config.startAt).toBe(Math.round(startAt * 1000));
    expect(s.startedAt).toBeGreaterThanOrEqual(startAt * 1000);
    expect(target.seen.length).toBe(s.total.requests);
    // Nothing reached the target before the instant (the reachability check opens a connection, no request).
    expect(Math.min(...target.seen.map((x) => x.at))).toBeGreaterThanOrEqual(startAt * 1000);
  });

  it('every --processes worker waits for the instant and sends from --source-address', async () => {
    const target = await startSeenServer();
    const startAt = Number(inS(10_000));
    const r = await runCli([
      ...headlessRun(scenario, target.url),
      '--processes',
      '2',
      '--start-at',
      String(startAt),
      '--source-address',
      '127.0.0.3',
      '--json',
      box.path('workers.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = box.read('workers.json');
    expect(s.config.processes).toBe(2);
    expect(s.config.sourceAddresses).toEqual(['127.0.0.3']);
    expect(target.seen.length).toBe(s.total.requests);
    expect(new Set(target.seen.map((x) => x.from))).toEqual(new Set(['127.0.0.3']));
    expect(Math.min(...target.seen.map((x) => x.at))).toBeGreaterThanOrEqual(startAt * 1000);
  });

  it('SIGTERM while waiting: exit 143, no load sent, no reports written', async () => {
    const target = await startSeenServer();
    const run = startCli([
      ...headlessRun(scenario, target.url),
      '--start-at',
      inS(600_000),
      '--json',
      box.path('never.json'),
    ]);
    let stderr = '';
    run.child.stderr!.on('data', (d) => {
      stderr += d;
    });
    await waitFor(() => stderr.includes('starting at'), 'the wait to begin', 30_000);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/swarm: SIGTERM before the start: no load sent, no reports written/);
    expect(existsSync(box.path('never.json'))).toBe(false);
    expect(target.seen).toHaveLength(0);
  });
});

describe('swarm run --source-address', () => {
  it('sends every request from the address given', async () => {
    const target = await startSeenServer();
    const r = await runCli([
      ...headlessRun(scenario, target.url),
      '--source-address',
      '127.0.0.2',
      '--json',
      box.path('source.json'),
    ]);
    expect(r.code).toBe(0);
    expect(target.seen.length).toBeGreaterThan(0);
    expect(new Set(target.seen.map((x) => x.from))).toEqual(new Set(['127.0.0.2']));
    expect(box.read('source.json').config.sourceAddresses).toEqual(['127.0.0.2']);
  });

  it('refuses what is not an IP address, and an address this machine does not have: exit 2', async () => {
    const target = await startSeenServer();
    const bad = await runCli([...headlessRun(scenario, target.url), '--source-address', 'pod-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--source-address: "pod-3" is not an IP address/);
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it.
    const absent = await runCli([...headlessRun(scenario, target.url), '--source-address', '192.0.2.7']);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/--source-address: cannot send from 192\.0\.2\.7 \(EADDRNOTAVAIL\)/);
    expect(target.seen).toHaveLength(0);
  });
});
