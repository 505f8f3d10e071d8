import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { isRunning } from '../lib/daemon';
import type { FaultRecord } from './fault-plan';
import { portFree } from './preflight';

// One native stack with the overload lab on (LAB=on), one replica, no monitoring.
describe('the native stack with LAB=on', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await upTestStack(1, { MONITOR: 'off', LAB: 'on' });
  });
  afterAll(async () => {
    await downTestStack(stack).catch(() => {});
  });

  const downstreamPort = () => Number(stack.env.DOWNSTREAM_PORT);
  const lab = (path: string) =>
    fetch(`http://127.0.0.1:${stack.gatewayPort}/api/lab/${path}`, { signal: AbortSignal.timeout(15_000) });
  const fault = async (...args: string[]): Promise<FaultRecord> =>
    JSON.parse((await stack.cli('fault', ...args, '--json')).stdout.trim()) as FaultRecord;

  it('starts the downstream service and mounts the lab endpoints, reached through the gateway', async () => {
    expect((await stack.cli('status')).stdout).toMatch(
      /^downstream\s+running \(pid \d+\)\s+127\.0\.0\.1:\d+$/m,
    );
    const cpu = await lab('cpu?ms=5');
    expect(cpu.status).toBe(200);
    const called = await lab('downstream');
    expect(called.status).toBe(200);
    expect(await called.json()).toMatchObject({ downstream: { ok: true, instance: 'downstream' } });
  });

  it('fault degrade downstream sets its behaviour through its admin endpoint; heal puts it back', async () => {
    const degraded = await fault('degrade', 'downstream', '--error-rate', '1', '--latency-ms', '20');
    expect(degraded).toMatchObject({
      do: 'degrade',
      part: 'downstream',
      pid: stack.pid('downstream').pid,
      degradation: { errorRate: 1, latencyMs: 20 },
    });
    const behaviour = await fetch(`http://127.0.0.1:${downstreamPort()}/admin/behaviour`);
    expect(await behaviour.json()).toMatchObject({ errorRate: 1, latencyMs: 20 });
    const failed = await lab('downstream');
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('DOWNSTREAM_FAILED');

    await fault('heal', 'downstream');
    expect((await lab('downstream')).status).toBe(200);

    const wrongPart = await stack.cli('fault', 'degrade', 'redis', '--error-rate', '1').catch((e) => e);
    expect(wrongPart.code).toBe(2);
    expect(wrongPart.stderr).toContain(
      'degrade applies to downstream (a behaviour set at run time), not to redis',
    );
  });

  it('down stops the downstream service with the rest', async () => {
    const record = stack.pid('downstream');
    const down = await stack.cli('down');
    expect(down.stdout).toMatch(/^\s+downstream\s+stopped$/m);
    expect(isRunning(record)).toBe(false);
    expect(await portFree(downstreamPort())).toBe(true);
  });
});
