import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../../gateway/test/support/stack';
import { isFrozen, isRunning, type PidRecord } from '../lib/daemon';
import { waitFor } from '../lib/ports';
import { redisPing } from '../lib/redis';
import type { FaultRecord } from './fault-plan';
import { portFree } from './preflight';

/** Live (non-zombie) processes in process group `pgid`: a daemon's children share its group. */
function liveInGroup(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(group) === pgid && state !== 'Z' ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

interface Failure {
  code: number;
  stdout: string;
  stderr: string;
}
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: Failure) => err,
  );

let stack: TestStack;
const fault = async (...args: string[]): Promise<FaultRecord> =>
  JSON.parse((await stack.cli('fault', ...args, '--json')).stdout.trim()) as FaultRecord;
const gateway = () => `http://127.0.0.1:${stack.gatewayPort}`;

async function createUser(): Promise<Response> {
  const email = `fault-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  return fetch(`${gateway()}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Fault' }),
    signal: AbortSignal.timeout(15_000),
  });
}

/** `make health`'s line for one part (make health exits 1 while a part is down). */
async function healthLine(part: string): Promise<string> {
  const out = await stack.cli('health').then(
    (r) => r.stdout,
    (err: Failure) => err.stdout,
  );
  return out.split('\n').find((l) => l.startsWith(`${part} `)) ?? '';
}

// One native stack (3 replicas, no monitoring) for every action: a boot costs more than all of them together.
describe('stack fault', () => {
  beforeAll(async () => {
    stack = await createTestStack(3, { MONITOR: 'off' });
    await stack.cli('up');
  });
  afterAll(async () => {
    await stack?.cli('down').catch(() => {});
    stack?.remove();
  });

  it('--check: an unknown part and a part in the wrong state exit 2 with why; a possible one exits 0', async () => {
    const unknown = await failure(stack.cli('fault', 'kill', 'app9', '--check'));
    expect(unknown?.code).toBe(2);
    expect(unknown?.stderr).toContain(
      'stack: fault: unknown part "app9": the parts are postgres, redis, downstream, app1, app2, app3, gateway',
    );
    const running = await failure(stack.cli('fault', 'start', 'app2', '--check'));
    expect(running?.code).toBe(2);
    expect(running?.stderr).toContain('app2 is already running');
    await expect(stack.cli('fault', 'kill', 'app2', '--check')).resolves.toBeDefined();
    await expect(stack.cli('fault', 'thaw', 'redis', '--check')).resolves.toBeDefined();
    // Nothing was applied.
    expect(isRunning(stack.pid('app2'))).toBe(true);
  });

  it('kill app2: its process is gone, the gateway still answers, status and health show it down; start brings it back', async () => {
    const before = stack.pid('app2');
    const killed = await fault('kill', 'app2');
    expect(killed).toMatchObject({ do: 'kill', part: 'app2', pid: before.pid });
    expect(killed.end).toBeGreaterThanOrEqual(killed.at);
    expect(isRunning(before)).toBe(false);

    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${gateway()}/health`, { signal: AbortSignal.timeout(15_000) });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-instance')).not.toBe('app2');
    }
    expect((await stack.cli('status')).stdout).toMatch(/^app2\s+stopped\s/m);
    expect(await healthLine('app2')).toMatch(/^app2\s+down\s/);

    const stopped = await failure(stack.cli('fault', 'stop', 'app2'));
    expect(stopped?.code).toBe(2);
    expect(stopped?.stderr).toContain('app2 is not running, so it cannot be stopped');
    const checked = await failure(stack.cli('fault', 'freeze', 'app2', '--check'));
    expect(checked?.code).toBe(2);
    expect(checked?.stderr).toContain('app2 is not running, so it cannot be frozen');

    const started = await fault('start', 'app2');
    expect(started.pid).not.toBe(before.pid);
    expect(started.pid).toBe(stack.pid('app2').pid);
    expect(await healthLine('app2')).toMatch(/^app2\s+up\s+app2\s/);
  });

  it('freeze redis --for 4s: PING gets no answer during it and answers after', async () => {
    const redis = stack.pid('redis');
    const applied = stack.cli('fault', 'freeze', 'redis', '--for', '4s', '--json');
    await waitFor('redis to be frozen', () => isFrozen(redis), 20_000, 10);
    // Sent at once: PING gives up after 1 s, well inside the freeze.
    expect(await redisPing(stack.redisPort)).toBe(false);
    const record = JSON.parse((await applied).stdout.trim()) as FaultRecord;
    expect(record).toMatchObject({ do: 'freeze', part: 'redis', pid: redis.pid, forMs: 4000 });
    expect(record.end - record.at).toBeGreaterThanOrEqual(4000);
    expect(isFrozen(redis)).toBe(false);
    expect(await redisPing(stack.redisPort)).toBe(true);
  });

  it('freeze and thaw: status shows the part frozen in between; a second thaw is harmless', async () => {
    const redis = stack.pid('redis');
    await fault('freeze', 'redis');
    expect((await stack.cli('status')).stdout).toMatch(/^redis\s+frozen \(pid \d+\)/m);
    expect(await redisPing(stack.redisPort)).toBe(false);
    expect(await fault('thaw', 'redis')).toMatchObject({ do: 'thaw', pid: redis.pid });
    expect((await stack.cli('status')).stdout).toMatch(/^redis\s+running \(pid \d+\)/m);
    expect(await redisPing(stack.redisPort)).toBe(true);
    await expect(fault('thaw', 'redis')).resolves.toMatchObject({ do: 'thaw' });
  });

  it('stop postgres: writes fail fast with a 503; start: writes succeed again', async () => {
    const before = stack.pid('postgres');
    await fault('stop', 'postgres');
    expect(isRunning(before)).toBe(false);
    expect(liveInGroup(before.pid)).toEqual([]);
    expect(await portFree(stack.postgresPort)).toBe(true);
    const down = await createUser();
    expect(down.status).toBe(503);

    const started = await fault('start', 'postgres');
    expect(started.pid).toBe(stack.pid('postgres').pid);
    // The replicas' pools open new connections on the next request.
    let status = 0;
    await waitFor('a write to succeed', async () => {
      status = (await createUser()).status;
      return status === 201;
    });
    expect(status).toBe(201);
  });

  it('restart gateway: a new nginx that answers', async () => {
    const before = stack.pid('gateway');
    const record = await fault('restart', 'gateway');
    expect(record.pid).toBe(before.pid);
    expect(record.startedPid).toBe(stack.pid('gateway').pid);
    expect(record.startedPid).not.toBe(before.pid);
    expect(liveInGroup(before.pid)).toEqual([]);
    expect((await fetch(`${gateway()}/gateway-health`)).status).toBe(200);
  });

  it('up thaws a part left frozen (a freeze whose thaw never came)', async () => {
    const app1 = stack.pid('app1');
    await fault('freeze', 'app1');
    const up = await stack.cli('up');
    expect(up.stdout).toMatch(/^\s+app1\s+was frozen: thawed$/m);
    expect(isFrozen(app1)).toBe(false);
    expect(stack.pid('app1').pid).toBe(app1.pid);
    expect(await healthLine('app1')).toMatch(/^app1\s+up\s/);
  });

  it('down after a freeze of Postgres and the gateway leaves no process and no port behind', async () => {
    await fault('freeze', 'postgres');
    await fault('freeze', 'gateway');
    const records: Record<string, PidRecord> = Object.fromEntries(
      ['postgres', 'gateway', 'redis', 'app1', 'app2', 'app3'].map((p) => [p, stack.pid(p)]),
    );
    expect(isFrozen(records.postgres!)).toBe(true);
    await stack.make('down');
    for (const [name, record] of Object.entries(records)) {
      expect(isRunning(record), `${name} still runs`).toBe(false);
      expect(liveInGroup(record.pid), `processes left in ${name}'s group`).toEqual([]);
    }
    for (const port of [stack.gatewayPort, stack.postgresPort, stack.redisPort, ...stack.replicaPorts])
      expect(await portFree(port), `port ${port} still taken`).toBe(true);
    expect(readdirSync(join(stack.dir, 'pids'))).toEqual([]);
  });
});
