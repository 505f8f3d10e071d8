import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { type CliRun, FIXTURES, runCli, startCli } from './support/cli';
import { startTestServer, type TestServer, waitFor } from './support/test-server';

// `swarm run FILE` without --headless, driven over HTTP as a script would (the browser test drives the page):
// the end of a run as a headless run ends, Locust's --autostart/--autoquit/--print-stats, the run time form
// field, and --web-allowed-host.

let dir: string;
let server: TestServer;
let cli: CliRun | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-webmode-'));
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.done;
  }
  cli = undefined;
});

/** Starts the web UI on a free port and resolves with its address once it listens. */
async function startUi(args: string[]): Promise<{ cli: CliRun; port: number; stderr: () => string }> {
  const run = startCli(['run', ...args, '--web-port', '0']);
  let stderr = '';
  run.child.stderr!.on('data', (d) => {
    stderr += d;
  });
  await waitFor(() => /web UI on http:\/\/127\.0\.0\.1:\d+/.test(stderr), 'the web UI to listen', 30_000);
  const port = Number(/web UI on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
  return { cli: run, port, stderr: () => stderr };
}

/** One request to the UI with exactly these headers. */
function call(port: number, method: string, path: string, body?: object, host = `127.0.0.1:${port}`) {
  return new Promise<{ status: number; body: string; allow?: string }>((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (method === 'POST') headers['content-type'] = 'application/json';
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('the end of a run started from the web UI', () => {
  it('is a headless run’s: a throwing teardown still writes the reports and fails the check', async () => {
    const json = join(dir, 'teardown.json');
    const ui = await startUi([
      join(FIXTURES, 'teardown-throws.ts'),
      '--json',
      json,
      '--html',
      join(dir, 'teardown.html'),
    ]);
    cli = ui.cli;
    const before = server.total();
    const start = await call(ui.port, 'POST', '/api/start', { users: 2, spawnRate: 100, host: server.url });
    expect(start.status).toBe(200);
    await waitFor(() => server.total() - before >= 20, 'the run to send 20 requests');
    expect((await call(ui.port, 'POST', '/api/stop')).status).toBe(200);
    await waitFor(() => existsSync(json), 'the JSON report');
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    expect(s.thresholds).toEqual([
      { expression: 'teardown: the servers lost 3 writes', actual: null, ok: false },
    ]);
    expect(s.stop).toEqual({ reason: 'stopped', detail: 'stopped by its caller' });
    expect(readFileSync(join(dir, 'teardown.html'), 'utf8')).toContain('teardown: the servers lost 3 writes');
    expect(ui.stderr()).toContain('swarm: teardown failed: the servers lost 3 writes');
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(1);
  });
});

describe('Locust’s web UI flags', () => {
  it('--autostart runs at once with the flags’ values, --print-stats shows its progress, --autoquit ends it', async () => {
    const json = join(dir, 'auto.json');
    const before = server.total();
    const r = await runCli([
      'run',
      join(FIXTURES, 'counter.ts'),
      '--web-port',
      '0',
      '--autostart',
      '--autoquit',
      '0',
      '--print-stats',
      '-u',
      '2',
      '-r',
      '100',
      '-t',
      '3s',
      '--stop-timeout',
      '5s',
      '-H',
      server.url,
      '--json',
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('swarm: --autostart: the run started');
    expect(r.stderr).toMatch(/^\[\d+s\/3s\] users 2 /m);
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    expect(s.stop).toEqual({ reason: 'run_time', detail: 'run time 3s reached' });
    expect(s.total.requests).toBe(server.total() - before);
  });

  it('-t prefills the start form’s run time (an advanced option), and a run started with one ends by itself', async () => {
    const json = join(dir, 'form.json');
    const ui = await startUi([join(FIXTURES, 'counter.ts'), '-t', '90s', '--json', json]);
    cli = ui.cli;
    const page = await call(ui.port, 'GET', '/');
    expect(page.body).toMatch(/<details id="advanced" open><summary>Advanced options<\/summary>/);
    expect(page.body).toContain('name="runTime" id="runTime" value="1m30s"');
    const bad = await call(ui.port, 'POST', '/api/start', {
      users: 1,
      spawnRate: 1,
      host: server.url,
      runTime: 'soon',
    });
    expect(bad.status).toBe(400);
    const ok = await call(ui.port, 'POST', '/api/start', {
      users: 1,
      spawnRate: 10,
      host: server.url,
      runTime: '1s',
    });
    expect(ok.status).toBe(200);
    await waitFor(() => existsSync(json), 'the run to end by itself and write its report');
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    expect(s.stop).toEqual({ reason: 'run_time', detail: 'run time 1s reached' });
    expect(s.config.runTimeS).toBe(1);
    // SIGTERM stops the UI as Ctrl-C does, with the last run's verdict.
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('swarm: SIGTERM: stopping');
  });

  it('answers errors with the service’s codes: VALIDATION_FAILED, ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED with Allow', async () => {
    const ui = await startUi([join(FIXTURES, 'counter.ts')]);
    cli = ui.cli;
    const code = (a: { body: string }) => (JSON.parse(a.body) as { error: { code: string } }).error.code;
    const invalid = await call(ui.port, 'POST', '/api/start', { users: -1, spawnRate: 1, host: server.url });
    expect([invalid.status, code(invalid)]).toEqual([400, 'VALIDATION_FAILED']);
    const action = await call(ui.port, 'POST', '/api/launch', {});
    expect([action.status, code(action)]).toEqual([404, 'ROUTE_NOT_FOUND']);
    const route = await call(ui.port, 'GET', '/nowhere');
    expect([route.status, code(route)]).toEqual([404, 'ROUTE_NOT_FOUND']);
    const method = await call(ui.port, 'GET', '/api/stop');
    expect([method.status, code(method), method.allow]).toEqual([405, 'METHOD_NOT_ALLOWED', 'POST']);
  });

  it('--web-allowed-host NAME: the UI answers to that name too, and still refuses others', async () => {
    const ui = await startUi([join(FIXTURES, 'counter.ts'), '--web-allowed-host', 'loadgen.example.test']);
    cli = ui.cli;
    expect((await call(ui.port, 'GET', '/', undefined, `loadgen.example.test:${ui.port}`)).status).toBe(200);
    expect((await call(ui.port, 'GET', '/', undefined, 'loadgen.example.test')).status).toBe(200);
    expect((await call(ui.port, 'GET', '/', undefined, `evil.example:${ui.port}`)).status).toBe(403);
  });
});
