import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startDownstream } from './support';

describe('the downstream process', () => {
  it('refuses a bad setting, naming it, with exit 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', PORT: '1', ERROR_RATE: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/ERROR_RATE: .*got "2"/);
  });

  it('serves /work at its behaviour, changed at run time, and stops on SIGTERM with exit 0', async () => {
    const ds = await startDownstream({ LATENCY_MS: '0', JITTER_MS: '0' });
    try {
      expect((await fetch(`${ds.base}/work`)).status).toBe(200);
      expect(await ds.behave({ errorRate: 1 })).toMatchObject({ errorRate: 1 });
      expect((await fetch(`${ds.base}/work`)).status).toBe(500);
      const metrics = await (await fetch(`${ds.base}/metrics`)).text();
      expect(metrics).toContain('downstream_work_requests_total{outcome="failed",instance="downstream"} 1');
      ds.service.child.kill('SIGTERM');
      const code = await new Promise((resolve) => ds.service.child.once('exit', resolve));
      expect(code).toBe(0);
    } finally {
      await ds.service.stop('SIGKILL');
    }
  });
});
