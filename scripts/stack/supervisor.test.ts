import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../../gateway/test/support/stack';
import { isRunning, type PidRecord, readPidFile } from '../lib/daemon';
import { freePort, waitFor } from '../lib/ports';
import { readSupervision } from './supervision';

// SUPERVISE=on on a native stack of two replicas and one ingest worker: a replica or worker killed is started again
// and counted; one stopped on purpose stays down; `down` stops the supervisor first and leaves no process behind.
let stack: TestStack;
let metricsUrl = '';
const seen: PidRecord[] = [];

beforeAll(async () => {
  const supervisorPort = await freePort();
  metricsUrl = `http://127.0.0.1:${supervisorPort}/metrics`;
  stack = await createTestStack(
    2,
    {
      SUPERVISE: 'on',
      SUPERVISOR_PORT: String(supervisorPort),
      // Prometheus scrapes the supervisor (job supervisor): the restart counts as a time series.
      MONITOR: 'on',
      DOWNSTREAM_PORT: String(await freePort()),
    },
    1,
  );
  try {
    await stack.cli('up');
  } catch (err) {
    await stack.cli('down').catch(() => {});
    throw err;
  }
});

afterAll(async () => {
  if (stack === undefined) return;
  await stack.cli('down').catch(() => {});
  stack.remove();
});

const pidOf = (part: string) => readPidFile(`${stack.dir}/pids/${part}.pid`);
const restarts = (replica: string) => readSupervision(stack.dir)?.replicas[replica]?.restarts;
async function metric(replica: string): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`swarmgate_replica_restarts_total{replica="${replica}"}`));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** Waits until `replica` runs as a new process (not `old`) and answers through the gateway as itself. */
async function waitBack(replica: string, old: number) {
  await waitFor(
    `${replica} restarted by the supervisor`,
    () => {
      const r = pidOf(replica);
      return r !== undefined && r.pid !== old && isRunning(r);
    },
    60_000,
    100,
  );
  await waitFor(
    `${replica} answering through the gateway`,
    async () => {
      const res = await fetch(`http://127.0.0.1:${stack.gatewayPort}/${replica}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      return res.status === 200 && res.headers.get('x-instance') === replica;
    },
    90_000,
    200,
  );
  seen.push(pidOf(replica)!);
}

describe('supervision of the native replicas', () => {
  it('starts with the stack and serves restart counts at 0', async () => {
    const supervisor = pidOf('supervisor');
    expect(supervisor && isRunning(supervisor)).toBe(true);
    seen.push(supervisor!, pidOf('app1')!, pidOf('app2')!);
    expect([await metric('app1'), await metric('app2')]).toEqual([0, 0]);
    expect((await stack.cli('status')).stdout).toContain('supervision: on');
  });

  it('restarts a replica killed with SIGKILL, counts it, and shows it in status, health and metrics', async () => {
    const old = pidOf('app1')!;
    process.kill(old.pid, 'SIGKILL');
    await waitBack('app1', old.pid);
    expect(restarts('app1')).toBe(1);
    expect(await metric('app1')).toBe(1);
    expect(await metric('app2')).toBe(0);
    expect((await stack.cli('status')).stdout).toMatch(
      /supervision: on \(pid \d+\), restarts: app1 1, app2 0/,
    );
    const health = await stack.cli('health');
    expect(health.stdout).toContain('restarts: app1 1, app2 0');
    expect(health.stdout).toMatch(/^supervisor\s+127\.0\.0\.1:\d+\s+up\s/m);
    await waitFor(
      'Prometheus to scrape the restart',
      async () => {
        const query = encodeURIComponent('swarmgate_replica_restarts_total{job="supervisor",replica="app1"}');
        const res = await fetch(`${stack.prometheusUrl}/api/v1/query?query=${query}`, {
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1] === '1';
      },
      30_000,
      250,
    );
    // The death and the restart, as one window for `swarm run --annotations` (closed once app1 ran again).
    const events = readFileSync(join(stack.dir, 'supervision-events.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(events.at(-1)!) as { id: string; at: number; end?: number; kind: string };
    expect(events).toHaveLength(2);
    expect(last).toMatchObject({ id: expect.stringMatching(/^restart-app1-/), kind: 'restart' });
    expect(last.end).toBeGreaterThanOrEqual(last.at);
  });

  it('restarts one `fault kill` killed, and leaves one `fault stop` stopped down until `fault start`', async () => {
    const old = pidOf('app2')!;
    await stack.cli('fault', 'kill', 'app2');
    await waitBack('app2', old.pid);
    expect(restarts('app2')).toBe(1);

    await stack.cli('fault', 'stop', 'app2');
    // The supervisor has seen it go without a pid file: stopped, which it never starts (supervision.test.ts).
    await waitFor(
      'the supervisor to see app2 stopped',
      () => readSupervision(stack.dir)?.replicas.app2?.state === 'stopped',
      10_000,
      100,
    );
    expect(pidOf('app2')).toBeUndefined();
    expect(restarts('app2')).toBe(1);

    await stack.cli('fault', 'start', 'app2');
    await waitFor(
      'the supervisor to see app2 up',
      () => readSupervision(stack.dir)?.replicas.app2?.state === 'up',
      10_000,
      100,
    );
    seen.push(pidOf('app2')!);
    expect(restarts('app2')).toBe(1);
  });

  it('restarts an ingest worker that was killed, counted apart from the replicas', async () => {
    const old = pidOf('worker1')!;
    expect(isRunning(old)).toBe(true);
    process.kill(old.pid, 'SIGKILL');
    await waitFor(
      'worker1 restarted by the supervisor',
      () => {
        const r = pidOf('worker1');
        return r !== undefined && r.pid !== old.pid && isRunning(r);
      },
      60_000,
      100,
    );
    seen.push(pidOf('worker1')!);
    await waitFor(
      'worker1 counted',
      () => readSupervision(stack.dir)?.workers?.worker1?.restarts === 1,
      10_000,
      100,
    );
    expect(readSupervision(stack.dir)?.replicas.worker1).toBeUndefined();
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    expect(text).toContain('swarmgate_worker_restarts_total{worker="worker1"} 1');
    expect(text).not.toContain('replica="worker1"');
    // Back at work: the restarted worker answers its readiness probe (Redis and Postgres reached).
    await waitFor(
      'worker1 ready again',
      async () => {
        const health = await stack.cli('health').catch((err: { stdout?: string }) => err);
        return /^worker1\s.*\bup\b/m.test(health.stdout ?? '');
      },
      60_000,
      500,
    );
    expect((await stack.cli('status')).stdout).toMatch(/restarts: app1 \d, app2 \d, worker1 1/);
  });

  it('fails health while the supervisor is gone; a later up starts it again (SUPERVISE recorded), counts kept', async () => {
    const supervisor = pidOf('supervisor')!;
    process.kill(supervisor.pid, 'SIGKILL');
    await waitFor('the supervisor to die', () => !isRunning(supervisor), 10_000, 50);
    const health = await stack.cli('health').then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(health?.code).toBe(1);
    expect(health?.stdout).toContain('supervision: DOWN: SUPERVISE=on but the supervisor is not running');
    // Without SUPERVISE in the environment, `up` keeps what the first `up` recorded.
    delete stack.env.SUPERVISE;
    await stack.cli('up');
    const again = pidOf('supervisor')!;
    expect(again.pid).not.toBe(supervisor.pid);
    expect(isRunning(again)).toBe(true);
    seen.push(again);
    expect(await metric('app1')).toBe(1);
    expect((await stack.cli('status')).stdout).toMatch(
      /supervision: on \(pid \d+\), restarts: app1 1, app2 1/,
    );
  });

  it('is stopped first by down, which leaves no process and no pid file behind', async () => {
    const everything = [
      ...seen,
      ...readdirSync(`${stack.dir}/pids`).map((f) => pidOf(f.replace(/\.pid$/, ''))!),
    ];
    const down = await stack.cli('down');
    const lines = down.stdout.split('\n').filter((l) => /stopped|was not running/.test(l));
    expect(lines[0]).toMatch(/^\s+supervisor\s+stopped/);
    expect(everything.filter((r) => r !== undefined && isRunning(r)).map((r) => r.command)).toEqual([]);
    expect(readdirSync(`${stack.dir}/pids`)).toEqual([]);
    expect(readSupervision(stack.dir)).toBeUndefined();
  });
});
