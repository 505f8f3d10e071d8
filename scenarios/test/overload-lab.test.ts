import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import type { PoolRow } from '../lib/pool-report';
import { runLoadTest } from './support/load-test';

// The overload lab's quota mode as a user runs it (./load_test.sh quota), short, on a native stack of the project's
// own scripts on free ports (monitoring off, one replica: the sub-runs bring it down and up twice more): without
// the gateway's quota and with it, side by side, and the stack back with its own settings afterwards.

let stack: TestStack;
const made: string[] = [];
beforeAll(async () => {
  stack = await upTestStack(1, { MONITOR: 'off' });
});
afterAll(async () => {
  await downTestStack(stack);
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** ./load_test.sh against the test stack, its stdout and stderr together in `out`. */
async function loadTest(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const r = await runLoadTest(stack, made, args, env);
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('./load_test.sh quota, short', () => {
  it('throttles the eager client with 429s that are not failures, barely the polite one, and restores the stack', async () => {
    // 8 s a sub-run: the eager client (~60 req/s against 10 r/s + a burst of 20) is still ~80% throttled.
    const r = await loadTest(['quota'], { RUN_TIME: '8s' });
    expect(r.code, r.out).toBe(0);
    const dir = join(REPO_ROOT, /reports in (\S+)\//.exec(r.out)![1]!);
    const { rows } = JSON.parse(readFileSync(join(dir, 'quota.json'), 'utf8')) as { rows: PoolRow[] };
    expect(rows.map((x) => [x.name, x.code])).toEqual([
      ['without-quota', 0],
      ['with-quota', 0],
    ]);
    const [without, withQuota] = rows;
    expect(without!.status429).toBe(0);
    expect(withQuota!.failures).toBe(0);
    const eager = withQuota!.endpoints.find((e) => e.name === 'GET /api/users/:id [eager]')!;
    const polite = withQuota!.endpoints.find((e) => e.name === 'GET /api/users/:id [polite]')!;
    expect(eager.throttled / eager.requests).toBeGreaterThan(0.5);
    expect(polite.throttled / polite.requests).toBeLessThan(0.05);
    // Judged from the summary: each client, and what the replica saw, within the quota.
    expect(r.out).toMatch(
      /PASS {2}GET \/api\/users\/:id \[eager\]: \d+ passed the gateway, at most \d+ allowed/,
    );
    expect(r.out).toMatch(/PASS {2}what the replicas saw \(2 clients\)/);
    expect(existsSync(join(dir, 'quota.html'))).toBe(true);
    expect(existsSync(join(dir, 'with-quota', 'report.html'))).toBe(true);
    // Back with the stack's own settings: no quota, so a burst of reads is all answered.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`http://127.0.0.1:${stack.gatewayPort}/api/users/1`, {
          headers: { 'X-API-Key': 'overload-lab-eager' },
        }).then((res) => res.status),
      ),
    );
    expect(statuses).not.toContain(429);
  });
});
