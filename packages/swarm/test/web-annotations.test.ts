import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CliRun, FIXTURES, startCli } from './support/cli';
import { startTestServer, type TestServer, waitFor } from './support/test-server';

// The live web UI draws the --annotations file's marks while the run goes: the page is the report's own body,
// re-rendered from each live summary.

const dir = mkdtempSync(join(tmpdir(), 'swarm-web-annotations-'));
let server: TestServer | undefined;
let cli: CliRun | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.done;
  }
  cli = undefined;
  await server?.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function call(port: number, method: string, path: string, body?: object) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
    if (method === 'POST') headers['content-type'] = 'application/json';
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('the live web UI', () => {
  it('draws a fault window from the --annotations file on its charts while the run goes', async () => {
    server = await startTestServer();
    const file = join(dir, 'live.jsonl');
    cli = startCli(['run', join(FIXTURES, 'faulty.ts'), '--web-port', '0', '--annotations', file]);
    let stderr = '';
    cli.child.stderr!.on('data', (d) => {
      stderr += d;
    });
    await waitFor(() => /web UI on http:\/\/127\.0\.0\.1:\d+/.test(stderr), 'the web UI to listen', 30_000);
    const port = Number(/web UI on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
    const start = await call(port, 'POST', '/api/start', { users: 1, spawnRate: 100, host: server.url });
    expect(start.status).toBe(200);
    await waitFor(() => server!.total() >= 50, 'requests', 30_000);
    const at = Date.now() - 1500;
    appendFileSync(
      file,
      `${JSON.stringify({ id: 'live', at, end: at + 1000, label: 'live fault', kind: 'fault' })}\n`,
    );
    let page = '';
    const deadline = Date.now() + 30_000;
    while (!page.includes('<title>fault: live fault (1s)</title></rect>')) {
      if (Date.now() > deadline) throw new Error('the page never drew the live fault');
      page = (await call(port, 'GET', '/')).body;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(page).toMatch(/<section id="timeline">[\s\S]*live fault/);
    expect((await call(port, 'POST', '/api/stop')).status).toBe(200);
  }, 90_000);
});
