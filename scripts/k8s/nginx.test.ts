import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../stack/preflight';
import { type Rendered, renderOverlay } from './test-support';

/** Whether this nginx knows `server … resolve` and `resolver` in an upstream (open-source nginx 1.27.3 on). */
function resolvesAtRunTime(versionText: string): boolean {
  const [major = 0, minor = 0, patch = 0] = (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(versionText) ?? [])
    .slice(1)
    .map(Number);
  return major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3)));
}

// The gateway ConfigMaps as the pod mounts them (/etc/swarmgate/nginx.conf and gateway.d/), checked by this
// machine's nginx with `nginx -t`. Kubernetes names do not resolve here, so they become 127.0.0.1; the pod's paths
// (and its /dev/stdout and /dev/stderr, which a test's pipes cannot open) become a temporary directory. An nginx older than 1.27.3 (Debian's is 1.22) has no run-time resolution: there
// the `resolver` and `resolve` words are left out and the rest is checked, zones and upstream blocks included.
describe("the gateway's Kubernetes config", () => {
  let r: Rendered;
  const dir = mkdtempSync(join(tmpdir(), 'swarmgate-k8s-nginx-'));
  beforeAll(() => {
    r = renderOverlay({ OVERLAY: 'cluster', REPLICAS: '4', BALANCE: 'least_conn', QUOTA_RATE: '50r/s' });
  }, 60_000);
  afterAll(() => {
    r?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is accepted by nginx -t', () => {
    const nginx = findBinary('nginx');
    expect(nginx, 'nginx is installed (make setup)').toBeDefined();
    const modern = resolvesAtRunTime(spawnSync(nginx!, ['-v'], { encoding: 'utf8' }).stderr);
    const local = (text: string) => {
      let out = text
        .replaceAll('/var/cache/nginx', dir)
        .replaceAll('/dev/stdout', join(dir, 'access.log'))
        .replaceAll('/dev/stderr', join(dir, 'error.log'))
        .replace(/[a-z0-9-]+(\.[a-z0-9-]+)*\.svc\.cluster\.local/g, '127.0.0.1');
      if (!modern) out = out.replace(/resolver [^;]*; /g, '').replaceAll(' resolve', '');
      return out;
    };
    const config = (prefix: string) => r.objects.find((o) => o.metadata.name.startsWith(prefix))!.data!;
    mkdirSync(join(dir, 'conf', 'gateway.d'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'nginx.conf'), local(config('gateway-config-')['nginx.conf']!));
    const snippets = config('gateway-snippets-');
    for (const [name, text] of Object.entries(snippets))
      writeFileSync(join(dir, 'conf', 'gateway.d', name), local(text));
    // What the stripping leaves is still the Kubernetes shape: a zone in every per-replica upstream.
    expect(local(snippets['upstreams.conf']!)).toContain('upstream replica_app10 { zone replica_app10 64k;');
    const test = spawnSync(
      nginx!,
      ['-t', '-p', `${dir}/`, '-c', join(dir, 'conf', 'nginx.conf'), '-e', join(dir, 'error.log')],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(test.stderr).toContain('test is successful');
    expect(test.status).toBe(0);
  });

  it('knows which nginx resolves names at run time', () => {
    expect(resolvesAtRunTime('nginx version: nginx/1.22.1')).toBe(false);
    expect(resolvesAtRunTime('nginx version: nginx/1.27.3')).toBe(true);
    expect(resolvesAtRunTime('nginx version: nginx/1.28.0')).toBe(true);
  });
});
