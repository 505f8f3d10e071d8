import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../../gateway/test/support/stack';
import { isRunning, type PidRecord, readPidFile } from '../lib/daemon';
import { portFree } from './preflight';

/** Live (non-zombie) processes whose process group is `pgid`: a daemon's children share its group. */
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

function pidRecords(dir: string): Record<string, PidRecord> {
  const pids = join(dir, 'pids');
  return Object.fromEntries(
    readdirSync(pids).map((f) => [f.replace(/\.pid$/, ''), readPidFile(join(pids, f))!]),
  );
}

const CORE = ['app1', 'app2', 'gateway', 'postgres', 'redis'];
const MONITORING = ['nginx-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter'];

/** Every port the monitoring parts listen on (the load generator's is Swarm's, never the stack's). */
const monitoringPorts = (stack: TestStack) => {
  const { swarm, ...ports } = stack.monitoringPorts;
  return Object.values(ports);
};

describe('make up / make down', () => {
  it('up twice is harmless, and down leaves no process and no listening port behind', async () => {
    const stack = await createTestStack(2);
    const ports = [
      stack.gatewayPort,
      ...stack.replicaPorts,
      stack.postgresPort,
      stack.redisPort,
      ...monitoringPorts(stack),
    ];
    try {
      const first = await stack.make('up');
      expect(first.stdout).toMatch(/native stack ready/);
      const records = pidRecords(stack.dir);
      expect(Object.keys(records).sort()).toEqual([...CORE, ...MONITORING].sort());
      for (const record of Object.values(records)) expect(isRunning(record)).toBe(true);
      for (const port of ports) expect(await portFree(port)).toBe(false);

      const second = await stack.make('up');
      expect(second.stdout.match(/already running/g)).toHaveLength(9);
      expect(pidRecords(stack.dir)).toEqual(records);

      const health = await stack.make('health');
      expect(health.stdout).toMatch(/^app2\s+up\s+app2\s/m);
      expect(health.stdout).toMatch(/^postgres\s+up\s/m);
      expect(health.stdout).toMatch(/^prometheus\s+up\s.* 6 of 7 targets up$/m);

      const down = await stack.make('down');
      expect(down.stdout).toMatch(/down: stopped/);
      for (const [name, record] of Object.entries(records)) {
        expect(isRunning(record), `${name} still runs`).toBe(false);
        expect(liveInGroup(record.pid), `processes left in ${name}'s group`).toEqual([]);
      }
      for (const port of ports) expect(await portFree(port), `port ${port} still taken`).toBe(true);
      expect(readdirSync(join(stack.dir, 'pids'))).toEqual([]);
    } finally {
      await stack.cli('down').catch(() => {});
      stack.remove();
    }
  });

  it('refuses to start on a port another program holds, saying which and how to move it', async () => {
    const stack = await createTestStack(1);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(stack.postgresPort, '127.0.0.1', resolve));
    try {
      const failure = await stack.cli('up').then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain(
        `port ${stack.postgresPort}, which postgres needs, is already in use`,
      );
      expect(failure?.stderr).toContain('STACK_PG_PORT=<port> make up');
    } finally {
      squatter.close();
      await stack.cli('down').catch(() => {});
      stack.remove();
    }
  });

  it("names a monitoring part's busy port and the setting that moves it", async () => {
    const stack = await createTestStack(1);
    const squatter = createServer();
    await new Promise<void>((resolve) =>
      squatter.listen(stack.monitoringPorts.prometheus, '127.0.0.1', resolve),
    );
    try {
      const failure = await stack.cli('up').then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain(
        `port ${stack.monitoringPorts.prometheus}, which prometheus needs, is already in use`,
      );
      expect(failure?.stderr).toContain('PROMETHEUS_PORT=<port> make up');
    } finally {
      squatter.close();
      await stack.cli('down').catch(() => {});
      stack.remove();
    }
  });
});
