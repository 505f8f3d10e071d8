import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { isRunning } from '../../scripts/lib/daemon';

// ./load_test.sh scaling in a tiny form on a native test stack of one replica with its Prometheus: a short, low
// breakpoint ramp at 1 and 2 replicas (REPLICAS_MAX=2), then scaling.json and scaling.html, and the stack back at
// one replica. The knee is not reached at this rate: the point is the orchestration, not the numbers.

interface Step {
  n: number;
  dir: string;
  written: boolean;
  reached: boolean;
  capacity: number | null;
  verdict: string | null;
}

let stack: TestStack;
let dir = '';
beforeAll(async () => {
  stack = await upTestStack(1, { MONITOR: 'on' });
});
afterAll(async () => {
  await downTestStack(stack);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function loadTest(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      './load_test.sh',
      args,
      { cwd: REPO_ROOT, env: { ...stack.env, ...env }, timeout: 280_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

describe('./load_test.sh scaling', () => {
  it('runs the breakpoint at 1 and 2 replicas, writes scaling.json and scaling.html, and restores one replica', async () => {
    const r = await loadTest(['scaling'], {
      HOST: `http://127.0.0.1:${stack.gatewayPort}`,
      REPLICAS_MAX: '2',
      RATE: '5/s:0s,15/s:6s',
    });
    const folder = /reports in (\S+)\//.exec(r.stdout)?.[1];
    if (folder) dir = join(REPO_ROOT, folder);
    expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stderr).toContain('scaling: bringing the stack to 2 replicas');
    expect(r.stderr).toContain('scaling: bringing the stack to 1 replica\n'); // the restore, after the steps

    const scaling = JSON.parse(readFileSync(join(dir, 'scaling.json'), 'utf8')) as {
      schema: string;
      cores: number;
      steps: Step[];
      fit: unknown;
      fitOmitted: string | null;
    };
    expect(scaling.schema).toBe('swarm.scaling/v1');
    expect(scaling.cores).toBeGreaterThan(0);
    expect(scaling.steps.map((s) => [s.n, s.dir, s.written])).toEqual([
      [1, 'replicas-1', true],
      [2, 'replicas-2', true],
    ]);
    // Fewer than three knees reached: no fit, and it says why.
    expect(scaling.fit).toBeNull();
    expect(scaling.fitOmitted).toMatch(/^no USL fit: \d replica counts? with a knee reached, 3 needed/);

    // Each step ran against its own replica count: the client saw that many instances, Prometheus that many series.
    for (const n of [1, 2]) {
      const step = join(dir, `replicas-${n}`);
      expect(existsSync(join(step, 'report.html'))).toBe(true);
      expect(existsSync(join(step, 'capacity.json'))).toBe(true);
      const summary = JSON.parse(readFileSync(join(step, 'summary.json'), 'utf8')) as {
        total: { instances: Record<string, number> };
        server: { series: Array<{ name: string; labels: Record<string, string> }> };
      };
      const apps = Array.from({ length: n }, (_, i) => `app${i + 1}`);
      expect(Object.keys(summary.total.instances).sort()).toEqual(apps);
      const cpu = summary.server.series.filter((s) => s.name === 'process_cpu_cores');
      expect(cpu.map((s) => s.labels.instance).sort()).toEqual(apps);
    }

    const html = readFileSync(join(dir, 'scaling.html'), 'utf8');
    expect(html).toContain('id="chart-scaling"');
    expect(html).toContain('<a href="replicas-1/report.html">');
    expect(html).toContain('<a href="replicas-2/report.html">');
    expect(r.stdout).toMatch(/\nN +capacity req\/s +p95 ms +efficiency +USL req\/s +first saturated\n/);

    // Back at the count it had before: app2 stopped, state.json says one replica.
    const state = JSON.parse(readFileSync(join(stack.dir, 'state.json'), 'utf8')) as { replicas: number };
    expect(state.replicas).toBe(1);
    expect(existsSync(join(stack.dir, 'pids', 'app2.pid'))).toBe(false);
    expect(isRunning(stack.pid('app1'))).toBe(true);
  }, 300_000); // two steps and three `up`s: about 1.5 min on a quiet 2-core machine, more on a busy one
});
