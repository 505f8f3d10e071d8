import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { createApp as createApiApp } from '../../services/api/src/app';
import { createDeps } from '../../services/api/src/deps';
import { loadEnv as loadApiEnv } from '../../services/api/src/env';
import { createLogger as createApiLogger } from '../../services/api/src/observability/logger';
import { createApp as createDownstreamApp } from '../../services/downstream/src/app';
import { createLogger as createDownstreamLogger } from '../../services/downstream/src/logger';
import { createMetrics as createDownstreamMetrics } from '../../services/downstream/src/metrics';
import { workerHttp } from '../../services/worker/src/http';
import { kustomize, writeKustomization } from './kustomization';
import type { K8sObject } from './references';
import { type K8sSettings, loadK8sSettings } from './settings';

/** Test helpers: an overlay rendered as `make k8s-render` does, into a directory of its own; the services' routes. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Rendered {
  settings: K8sSettings;
  dir: string;
  objects: K8sObject[];
  cleanup: () => void;
}

/** Renders an overlay for `env` (the settings `make k8s-render` would read) with `kubectl kustomize`, and parses it. */
export function renderOverlay(env: Record<string, string>): Rendered {
  const stackDir = mkdtempSync(join(tmpdir(), 'swarmgate-k8s-'));
  const settings = loadK8sSettings({ ...env, STACK_DIR: stackDir }, ROOT);
  const dir = join(stackDir, 'k8s', settings.overlay);
  writeKustomization(settings, dir);
  const objects = parseAllDocuments(kustomize(dir)).map((d) => {
    if (d.errors.length > 0) throw new Error(`kubectl kustomize wrote bad YAML: ${d.errors[0]!.message}`);
    return d.toJSON() as K8sObject;
  });
  return { settings, dir, objects, cleanup: () => rmSync(stackDir, { recursive: true, force: true }) };
}

/** The paths of the GET routes a Hono app serves (its own route table). */
const getPaths = (routes: { method: string; path: string }[]) => [
  ...new Set(routes.filter((r) => r.method === 'GET' || r.method === 'ALL').map((r) => r.path)),
];

/**
 * The API's GET routes, from the app itself (built as its unit tests build it: dependencies that are never
 * reached, closed at once), LAB_ENDPOINTS on so that every route is listed.
 */
export async function apiRoutes(): Promise<string[]> {
  const env = loadApiEnv({
    PORT: '1',
    INSTANCE_ID: 'k8s1',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
    REDIS_URL: 'redis://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    LAB_ENDPOINTS: 'on',
  });
  const deps = createDeps(env, createApiLogger('silent', 'k8s1'));
  try {
    return getPaths(createApiApp(deps).routes);
  } finally {
    await deps.close();
  }
}

export function downstreamRoutes(): string[] {
  const initial = { latencyMs: 0, jitterMs: 0, errorRate: 0 };
  const state = { initial, current: { ...initial } };
  const app = createDownstreamApp({
    instance: 'k8s',
    state,
    metrics: createDownstreamMetrics('k8s', () => state.current),
    log: createDownstreamLogger('silent', 'k8s'),
  });
  return getPaths(app.routes);
}

/** The worker's GET routes, from its HTTP app (built with dependencies it does not touch until a request). */
export const workerRoutes = () =>
  getPaths(
    workerHttp({
      worker: 'k8s',
      consumer: {} as never,
      redis: {} as never,
      pool: {} as never,
      registry: {} as never,
      readyTimeoutMs: 1,
      startedAt: 0,
      stopping: () => false,
    }).routes,
  );

/** The gateway's own exact locations (`location = /gateway-health`), from its rendered server.conf. */
export const gatewayRoutes = (serverConf: string) =>
  [...serverConf.matchAll(/location\s+=\s+(\S+)/g)].map((m) => m[1]!);

/** services/<name>/Dockerfile's text for each service folder, undefined where there is none. */
export function dockerfiles(): Record<string, string | undefined> {
  const read = (name: string) => {
    try {
      return readFileSync(join(ROOT, 'services', name, 'Dockerfile'), 'utf8');
    } catch {
      return undefined;
    }
  };
  return Object.fromEntries(readdirSync(join(ROOT, 'services')).map((name) => [name, read(name)]));
}

export const byName = (objects: K8sObject[], kind: string, prefix: string) =>
  objects.filter((o) => o.kind === kind && o.metadata.name.startsWith(prefix));
