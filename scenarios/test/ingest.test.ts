import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { isRunning } from '../../scripts/lib/daemon';
import { runLoadTest } from './support/load-test';

// The async ingest path as a user meets it: `make up WORKERS=2` on a native stack of the project's own scripts
// (free ports, its own folder), the workers in `make health` and `make status`, the ingest mode end to end in a
// tiny form (every event answered 202 counted in Postgres by run id), and `make down` stopping the workers
// gracefully (SIGTERM: they finish the batch in hand and say so in their logs).

let stack: TestStack;
const made: string[] = [];
beforeAll(async () => {
  // LOG_LEVEL info: the workers' "stopped" line is what shows a graceful stop.
  stack = await upTestStack(3, { LOG_LEVEL: 'info' }, 2);
});
afterAll(async () => {
  await downTestStack(stack).catch(() => {});
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const loadTest = (args: string[], env: Record<string, string>) => runLoadTest(stack, made, args, env);

describe('the ingest workers in the stack', () => {
  it('start with up (WORKERS=2) and show in health and status with the backlog', async () => {
    const health = await stack.make('health');
    for (const w of ['worker1', 'worker2']) {
      expect(health.stdout).toMatch(new RegExp(`^${w}\\s+up\\s+${w}\\s.*events processed$`, 'm'));
      expect(isRunning(stack.pid(w))).toBe(true);
    }
    expect(health.stdout).toMatch(/^ingest\s+up\s.*backlog 0, pending 0/m);
    const status = await stack.make('status');
    expect(status.stdout).toMatch(
      new RegExp(`^worker2\\s+running \\(pid \\d+\\)\\s+127\\.0\\.0\\.1:${stack.workerPorts[1]}$`, 'm'),
    );
    expect(status.stdout).toMatch(/^ingest\s+up\s+backlog \d+, pending \d+/m);
  });

  it('the ingest mode stores every event answered 202 exactly once, and says how many', async () => {
    const r = await loadTest(['ingest'], { RUN_TIME: '10s', TARGET_VUS: '3' });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const line = /ingest: accepted (\d+), stored (\d+), drained in ([\d.]+) s/.exec(r.stdout);
    expect(line, r.stdout).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThan(0);
    expect(line![2]).toBe(line![1]);
    const dir = join(REPO_ROOT, /reports in (\S+)\//.exec(r.stdout)![1]!);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      metrics: Record<string, number>;
      endpoints: { method: string; name: string; count: number }[];
    };
    expect(summary.metrics).toMatchObject({ ingest_missing: 0, ingest_duplicates: 0 });
    expect(summary.metrics.ingest_stored).toBe(Number(line![1]));
    const names = summary.endpoints.map((e) => `${e.method} ${e.name}`);
    expect(names).toEqual(expect.arrayContaining(['POST /api/events', 'POST /api/events/batch']));
  });

  it('down stops the workers with SIGTERM: each finishes and logs that it stopped', async () => {
    const pids = ['worker1', 'worker2'].map((w) => stack.pid(w));
    await stack.cli('down');
    for (const p of pids) expect(isRunning(p)).toBe(false);
    for (const w of ['worker1', 'worker2']) {
      const log = readFileSync(join(stack.dir, 'logs', `${w}.log`), 'utf8');
      expect(log).toMatch(/shutting down/);
      expect(log).toMatch(/"stopped"|stopped/);
      expect(existsSync(join(stack.dir, 'pids', `${w}.pid`))).toBe(false);
    }
  });
});
