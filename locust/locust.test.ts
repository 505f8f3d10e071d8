import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../gateway/test/support/stack';
import { waitFor } from '../scripts/lib/ports';

const run = promisify(execFile);
const USERS = 6;

// Locust is a client nobody here wrote: what it counts must match what the gateway logged, request for request.

let stack: TestStack;
beforeAll(async () => {
  stack = await upTestStack(3);
});
afterAll(async () => {
  await downTestStack(stack);
});

interface AccessLine {
  request_id: string;
  uri: string;
  upstream_addr: string;
}

function accessLog(): AccessLine[] {
  const file = join(stack.dir, 'logs/gateway-access.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AccessLine);
}

describe('locust/locustfile.py', () => {
  it('counts the requests the gateway logged, all but those in flight when it stops, across every replica', async () => {
    if (!existsSync('/usr/bin/locust'))
      throw new Error('locust is missing: apt-get install -y python3-locust');
    const before = accessLog().length;
    const host = `http://127.0.0.1:${stack.gatewayPort}`;
    const args = [
      '-f',
      'locust/locustfile.py',
      '--headless',
      '--only-summary',
      '-u',
      '6',
      '-r',
      '6',
      '-t',
      '8s',
    ];
    const { stdout, stderr } = await run('/usr/bin/locust', [...args, '-H', host], {
      cwd: REPO_ROOT,
      env: { ...process.env, REPLICAS: '3' },
      timeout: 60_000,
    });
    // The final table's Aggregated row; Locust 2.12's --csv files are written before the last requests finish.
    const aggregated = /^\s+Aggregated\s+(\d+)\s+\d+\(/m.exec(`${stdout}\n${stderr}`);
    expect(aggregated, `no summary in Locust's output:\n${stderr}`).not.toBeNull();
    const counted = Number(aggregated![1]);
    expect(counted).toBeGreaterThan(10);

    // nginx buffers its access log; SIGUSR1 (reopen the logs) makes every worker flush it now.
    process.kill(Number(readFileSync(join(stack.dir, 'nginx/nginx.pid'), 'utf8')), 'SIGUSR1');
    const loadLines = () =>
      accessLog()
        .slice(before)
        .filter((l) => !l.request_id.startsWith('locust-seed-'));
    await waitFor('the gateway to log every request', () => loadLines().length >= counted, 10_000);
    const lines = loadLines();
    // Every request Locust counted reached the gateway. Locust 2.12 ends a headless run by killing its users
    // (runner.quit() ignores --stop-timeout), so a request in flight at that moment reaches the gateway but is
    // never counted: at most one per user. Swarm, by contrast, waits for them and counts them.
    expect(lines.length - counted).toBeGreaterThanOrEqual(0);
    expect(lines.length - counted).toBeLessThanOrEqual(USERS);
    const replicas = new Set(lines.map((l) => l.upstream_addr).filter((a) => a && a !== '-'));
    for (const port of stack.replicaPorts) expect(replicas).toContain(`127.0.0.1:${port}`);
  });
});
