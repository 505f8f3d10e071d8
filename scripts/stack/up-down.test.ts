import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestStack, REPO_ROOT, type TestStack } from '../../gateway/test/support/stack';
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

const CORE = ['app1', 'app2', 'downstream', 'gateway', 'postgres', 'redis'];
const MONITORING = ['nginx-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter'];

/** Every port the monitoring parts listen on (the load generator's is Swarm's, never the stack's). */
const monitoringPorts = (stack: TestStack) => {
  const { swarm, ...ports } = stack.monitoringPorts;
  return Object.values(ports);
};

describe('make up / make down', () => {
  it('up twice is harmless, and down leaves no process and no listening port behind', async () => {
    const stack = await createTestStack(2, { MONITOR: 'on' });
    const ports = [
      stack.gatewayPort,
      ...stack.replicaPorts,
      stack.postgresPort,
      stack.redisPort,
      Number(stack.env.DOWNSTREAM_PORT),
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
      expect(second.stdout.match(/already running/g)).toHaveLength(10);
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

  it('up with another REPLICAS starts or stops replicas, and stops one only after the gateway stopped using it', async () => {
    const stack = await createTestStack(2, { MONITOR: 'off' });
    const upWith = (replicas: number) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/stack/cli.ts', 'up'],
          { cwd: REPO_ROOT, env: { ...stack.env, REPLICAS: String(replicas) } },
          (err, stdout, stderr) => (err ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout)),
        ),
      );
    // The gateway's one load-balanced upstream: a server line per replica.
    const upstreamServers = () => {
      const conf = readdirSync(join(stack.dir, 'nginx', 'conf'), { recursive: true })
        .map((f) => join(stack.dir, 'nginx', 'conf', String(f)))
        .filter((f) => f.endsWith('.conf'))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      const block = /upstream api \{[^}]*\}/.exec(conf)?.[0] ?? '';
      return block.match(/server 127\.0\.0\.1:\d+/g)?.length ?? 0;
    };
    try {
      await upWith(2);
      expect(upstreamServers()).toBe(2);
      const app2 = stack.pid('app2');

      const down = await upWith(1);
      const reloaded = down.indexOf('gateway           config changed, reloaded');
      const stopped = down.indexOf('app2              stopped (REPLICAS=1)');
      expect(reloaded, down).toBeGreaterThan(-1);
      expect(stopped, down).toBeGreaterThan(reloaded);
      expect(isRunning(app2)).toBe(false);
      expect(existsSync(join(stack.dir, 'pids', 'app2.pid'))).toBe(false);
      expect(upstreamServers()).toBe(1);
      expect(JSON.parse(readFileSync(join(stack.dir, 'state.json'), 'utf8')).replicas).toBe(1);

      const up = await upWith(2);
      expect(up).toMatch(/app2 +started on/);
      expect(up).toContain('gateway           config changed, reloaded');
      expect(isRunning(stack.pid('app2'))).toBe(true);
      expect(upstreamServers()).toBe(2);
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
    const stack = await createTestStack(1, { MONITOR: 'on' });
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
