import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { gatewayVars } from '../stack/gateway-config';
import { renderGatewayConfig } from '../stack/native/gateway-files';
import { fillTemplate } from '../stack/template';
import {
  apiEnv,
  K8S_DIR,
  k8sGatewayTarget,
  NAMESPACE,
  prometheusK8sArgs,
  prometheusK8sVars,
  workerEnvK8s,
} from './manifest-settings';
import type { K8sSettings } from './settings';

/** deploy/k8s/templates/prometheus.yml.template: Prometheus's config with pod discovery. */
export const PROMETHEUS_K8S_TEMPLATE = join(K8S_DIR, 'templates', 'prometheus.yml.template');

const literals = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/** A JSON patch (RFC 6902) replacing one field, as kustomize's `patches` take it inline. */
const replace = (path: string, value: unknown) => ({ op: 'replace', path, value });
const patch = (kind: string, name: string, ops: object[]) => ({
  target: { kind, name },
  patch: stringify(ops),
});

/**
 * The kustomization that `make k8s-render` writes into `dir` (`.stack/k8s/<overlay>/`): the overlay in git as its
 * only resource, plus what the settings decide: the gateway's nginx.conf and gateway.d/ (rendered here by
 * scripts/stack's own renderGatewayConfig, from gateway/'s templates), Prometheus's config, the API's environment,
 * its replica count and autoscaler bounds, Prometheus's flags and Postgres's max_connections. Writes the files and
 * returns the kustomization object. The ingest workers' count (WORKERS) and environment too. `dir` is emptied first, so nothing stale survives a change of settings.
 */
export function writeKustomization(s: K8sSettings, dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  renderGatewayConfig(join(dir, 'gateway'), gatewayVars(k8sGatewayTarget(s)));
  const snippets = readdirSync(join(dir, 'gateway', 'gateway.d')).sort();
  const prometheus = fillTemplate(
    readFileSync(PROMETHEUS_K8S_TEMPLATE, 'utf8'),
    prometheusK8sVars(s),
    'PROMETHEUS_',
    'deploy/k8s/templates/prometheus.yml.template',
  );
  writeFileSync(join(dir, 'prometheus.yml'), prometheus);

  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: NAMESPACE,
    labels: [{ pairs: { 'app.kubernetes.io/part-of': 'swarmgate' } }],
    resources: [relative(dir, join(K8S_DIR, 'overlays', s.overlay))],
    replicas: [
      { name: 'api', count: s.stack.replicas },
      { name: 'worker', count: s.stack.workers },
    ],
    // Names get a hash of the content, and the pods that mount them the new name: a change of settings rolls
    // the gateway, the replicas or Prometheus out by itself.
    configMapGenerator: [
      { name: 'gateway-config', files: ['gateway/nginx.conf'] },
      { name: 'gateway-snippets', files: snippets.map((f) => `gateway/gateway.d/${f}`) },
      { name: 'prometheus-config', files: ['prometheus.yml'] },
      { name: 'api-env', literals: literals(apiEnv(s)) },
      { name: 'worker-env', literals: literals(workerEnvK8s(s)) },
    ],
    patches: [
      patch('HorizontalPodAutoscaler', 'api', [
        replace('/spec/minReplicas', s.stack.replicas),
        replace('/spec/maxReplicas', s.maxReplicas),
      ]),
      patch('Deployment', 'prometheus', [
        replace('/spec/template/spec/containers/0/args', prometheusK8sArgs(s)),
      ]),
      patch('StatefulSet', 'postgres', [
        replace('/spec/template/spec/containers/0/args', [
          '-c',
          `max_connections=${s.stack.postgresMaxConnections}`,
        ]),
      ]),
    ],
  };
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `# Written by \`make k8s-render\` (scripts/k8s/render.ts) for OVERLAY=${s.overlay}; do not edit: render again.\n${stringify(kustomization)}`,
  );
  return kustomization;
}

export class KustomizeError extends Error {}

/** `kubectl kustomize dir` (offline): the manifests as one YAML stream. Throws a KustomizeError with kubectl's words. */
export function kustomize(dir: string): string {
  const run = spawnSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new KustomizeError(
      missing
        ? 'kubectl is not installed: https://kubernetes.io/docs/tasks/tools/ (it renders offline, no cluster needed)'
        : `kubectl kustomize ${dir}: ${run.error.message}`,
    );
  }
  if (run.status !== 0) throw new KustomizeError(`kubectl kustomize ${dir} failed: ${run.stderr.trim()}`);
  return run.stdout;
}
