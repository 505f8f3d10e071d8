import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './test-support';

// `make k8s-render` as a user runs it: scripts/k8s/render.ts with settings in the environment.
const stackDir = mkdtempSync(join(tmpdir(), 'swarmgate-k8s-render-'));
afterAll(() => rmSync(stackDir, { recursive: true, force: true }));

function render(env: Record<string, string>) {
  return spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/k8s/render.ts'], {
    cwd: ROOT,
    env: { ...process.env, STACK_DIR: stackDir, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

// Each case starts tsx and kubectl: seconds on a loaded machine, not the unit project's default 5.
describe('make k8s-render', { timeout: 60_000 }, () => {
  it('writes the kustomization and the manifests it builds for the overlay', () => {
    const run = render({ OVERLAY: 'cluster', REPLICAS: '5' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`kubectl apply -k ${join(stackDir, 'k8s', 'cluster')}`);
    expect(existsSync(join(stackDir, 'k8s', 'cluster', 'kustomization.yaml'))).toBe(true);
    const manifests = readFileSync(join(stackDir, 'k8s', 'cluster.yaml'), 'utf8');
    expect(manifests).toMatch(/kind: StatefulSet\nmetadata:\n(.*\n)*? {2}name: api\n/);
    expect(manifests).toContain('minReplicas: 5');
    expect(manifests).toContain('storageClassName: standard');
  });

  it.each([
    [{ OVERLAY: 'prod' }, 'OVERLAY: must be one of local, cluster (got "prod")'],
    [
      { REPLICAS: '4', K8S_MAX_REPLICAS: '3' },
      'K8S_MAX_REPLICAS: must be a whole number from REPLICAS (4) to 16',
    ],
    [{ QUOTA_RATE: 'fast' }, 'QUOTA_RATE: must be requests per second or minute'],
    [{ PGBOUNCER: 'on' }, 'PGBOUNCER: on is not available on Kubernetes'],
    [{ K8S_CLUSTER_DOMAIN: 'Cluster_Local' }, 'K8S_CLUSTER_DOMAIN: must be a DNS domain'],
  ])('exits 2 naming a bad setting: %o', (env, message) => {
    const run = render(env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
