import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { type Service, startService } from '../../../scripts/lib/process';
import { bodyOf, freshDatabase, type OwnRedis, ownRedis } from './support/harness';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

// Two replica processes with a small heap (--max-old-space-size=192) take the same burst of lab allocations, more
// than the heap holds at once: the one with the memory guard refuses some and lives, the one without dies.
describe('the memory guard on a real replica', () => {
  let redis: OwnRedis;
  let databaseUrl = '';
  const started: Service[] = [];

  beforeAll(async () => {
    redis = await ownRedis();
    databaseUrl = await freshDatabase();
  });
  afterAll(async () => {
    for (const s of started) await s.stop('SIGKILL');
    await redis?.close();
  });

  async function replica(instance: string, env: Record<string, string>) {
    const port = await freePort();
    const service = startService('api', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: API_DIR,
      env: {
        ...process.env,
        // The replica's bind address, whatever a shell exported (load_test.sh reads HOST as its target URL).
        HOST: '127.0.0.1',
        NODE_OPTIONS: '--max-old-space-size=192',
        PORT: String(port),
        INSTANCE_ID: instance,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        LAB_ENDPOINTS: 'on',
        ...env,
      },
    });
    started.push(service);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${instance} to be ready`, async () => (await fetch(`${base}/ready`)).ok, 60_000);
    return { service, base };
  }

  /** Eight allocations of 40 MB held 4 s at once: 320 MB, well past a 192 MB old space. */
  const burst = (base: string) =>
    Promise.allSettled(
      Array.from({ length: 8 }, () =>
        fetch(`${base}/api/lab/memory?mb=40&holdMs=4000`, { signal: AbortSignal.timeout(60_000) }),
      ),
    );

  it('with MEMORY_GUARD_HEAP_FRACTION: refuses what would pass the guard with 503, and stays up', async () => {
    const { service, base } = await replica('guarded', { MEMORY_GUARD_HEAP_FRACTION: '0.6' });
    const answers = await burst(base);
    const statuses = answers.map((a) => (a.status === 'fulfilled' ? a.value.status : 0));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const refused = answers.find((a) => a.status === 'fulfilled' && a.value.status === 503);
    if (refused?.status === 'fulfilled') {
      expect((await bodyOf(refused.value)).error.code).toBe('MEMORY_GUARD');
      expect(refused.value.headers.get('retry-after')).toBe('1');
    }
    expect(service.child.exitCode).toBeNull();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/lab_memory_refused_total\{instance="guarded"\} [1-9]/);
  });

  it('without a guard: the same burst runs V8 out of heap and the process dies', async () => {
    const { service, base } = await replica('unguarded', {});
    await burst(base);
    await waitFor(
      'the replica to die',
      () => service.child.exitCode !== null || service.child.signalCode !== null,
      30_000,
    );
    expect(service.output()).toMatch(/heap out of memory/i);
  });
});
