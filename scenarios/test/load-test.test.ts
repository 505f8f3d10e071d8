import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { freePort } from '../../scripts/lib/ports';

// ./load_test.sh as a user runs it, against a native stack of the project's own scripts on free ports.

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function loadTest(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      './load_test.sh',
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

/** The report folder a run named in its output. */
function reportDir(r: Result): string {
  const m = /reports in (\S+)\//.exec(r.stdout);
  if (!m) throw new Error(`no report folder in:\n${r.stdout}\n${r.stderr}`);
  return join(REPO_ROOT, m[1]!);
}

describe('./load_test.sh without a stack', () => {
  it('says the stack is not up and exits 2', async () => {
    const r = await loadTest(['smoke'], { HOST: `http://127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the stack is not up .*run `make up`/);
  });

  it('names the modes when given an unknown one', async () => {
    const r = await loadTest(['soak'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /unknown mode "soak"; use one of .*\bsmoke, basic, stress, cache, spike, breakpoint, .*\ball, .*\bscaling, interactive\b/,
    );
  });

  it('says k6 is missing instead of failing obscurely', async () => {
    if (existsSync('/usr/bin/k6') || existsSync('/usr/local/bin/k6')) return; // the message is for machines without k6
    const r = await loadTest(['--engine', 'k6', 'smoke'], { HOST: `http://127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/k6 is not installed/);
  });
});

describe('./load_test.sh smoke on a native stack', () => {
  let stack: TestStack;
  const made: string[] = [];
  beforeAll(async () => {
    stack = await upTestStack(3);
  });
  afterAll(async () => {
    await downTestStack(stack);
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const env = () => ({
    HOST: `http://127.0.0.1:${stack.gatewayPort}`,
    STACK_REDIS_PORT: String(stack.redisPort),
    RUN_TIME: '6s',
  });

  it('passes, writes every report, and puts the servers’ counts beside the client’s', async () => {
    const r = await loadTest(['smoke'], env());
    const dir = reportDir(r);
    made.push(dir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/load_test: verdict PASS/);
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining([
        'junit.xml',
        'run_failures.csv',
        'run_stats.csv',
        'run_stats_history.csv',
        'summary.json',
      ]),
    );
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.total.instances).sort()).toEqual(['app1', 'app2', 'app3']);
    const requests = summary.sections.find((s: { title: string }) =>
      s.title.includes('requests per replica'),
    );
    for (const [, client, server, diff] of requests.rows) {
      expect(server).toBe(client);
      expect(diff).toBe(0);
    }
    expect(summary.thresholds.map((t: { expression: string; ok: boolean }) => [t.expression, t.ok])).toEqual([
      ['rate==0', true],
      ['instances>=3', true],
      ['server_request_diff==0', true],
      ['redis_hits>=client_hits', true],
    ]);
  });

  it('a run cut short by TERM writes its reports and passes no verdict: exit 143', async () => {
    const child = spawn('./load_test.sh', ['smoke'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env(), RUN_TIME: '60s' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Once users run (Swarm's progress line), stop it as a CI runner or `timeout` would.
    const running = /users \d+ +req\/s/;
    const deadline = Date.now() + 60_000;
    while (!running.test(stdout + stderr) && Date.now() < deadline) await sleep(200);
    expect(stdout + stderr, 'the load started').toMatch(running);
    await sleep(2000);
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const dir = reportDir({ code: code ?? 1, stdout, stderr: '' });
    made.push(dir);
    expect(code, stdout).toBe(143);
    expect(Date.now() - sentAt).toBeLessThan(45_000); // stopped, not run to its end
    expect(stdout).toMatch(/load_test: interrupted: no verdict \(exit 143\)/);
    expect(stdout).not.toMatch(/load_test: verdict PASS/);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  }, 120_000);

  it('stops at the contract pass, naming the endpoint and statuses, when a replica is down', async () => {
    const { pid } = JSON.parse(readFileSync(join(stack.dir, 'pids', 'app2.pid'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    try {
      const r = await loadTest(['smoke'], env());
      made.push(reportDir(r));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /setup failed, no user started: contract: GET \/app2\/health answered 502, expected 200/,
      );
    } finally {
      await stack.cli('up'); // brings app2 back for whatever runs next
    }
  });
});
