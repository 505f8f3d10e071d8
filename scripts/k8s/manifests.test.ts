import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadEnv as loadApiEnv, loadMigrateEnv } from '../../services/api/src/env';
import { loadEnv as loadDownstreamEnv } from '../../services/downstream/src/env';
import { loadWorkerEnv } from '../../services/worker/src/env';
import { gatewayVars, renderTemplate } from '../stack/gateway-config';
import { GATEWAY_TEMPLATES } from '../stack/native/gateway-files';
import { fillTemplate } from '../stack/template';
import { fieldNameProblems } from './field-names';
import { imageProblems } from './images';
import { PROMETHEUS_K8S_TEMPLATE } from './kustomization';
import {
  apiEnv,
  k8sGatewayTarget,
  prometheusK8sArgs,
  prometheusK8sVars,
  workerEnvK8s,
} from './manifest-settings';
import { containers, envProblems, probeProblems, referenceProblems, selectorProblems } from './references';
import { schemaProblems } from './schemas';
import {
  apiRoutes,
  byName,
  dockerfiles,
  downstreamRoutes,
  gatewayRoutes,
  type Rendered,
  ROOT,
  renderOverlay,
  workerRoutes,
} from './test-support';

// Each overlay rendered as `make k8s-render` renders it, then held against the API schemas, against itself and
// against the code it deploys. The cluster overlay with settings other than the defaults, so they are seen to
// reach the manifests.
const OVERLAYS: Record<string, Record<string, string>> = {
  local: { OVERLAY: 'local' },
  cluster: {
    OVERLAY: 'cluster',
    REPLICAS: '4',
    K8S_MAX_REPLICAS: '12',
    BALANCE: 'least_conn',
    QUOTA_RATE: '50r/s',
    LAB: 'on',
    PROMETHEUS_RETENTION: '2d',
    WORKERS: '3',
    WORKER_BATCH_SIZE: '500',
  },
};

let api: string[];
let downstream: string[];
let worker: string[];
beforeAll(async () => {
  api = await apiRoutes();
  downstream = downstreamRoutes();
  worker = workerRoutes();
}, 60_000);

describe.each(Object.entries(OVERLAYS))('the %s overlay', (overlay, env) => {
  let r: Rendered;
  beforeAll(() => {
    r = renderOverlay(env);
  }, 60_000);
  afterAll(() => r?.cleanup());
  const one = (kind: string, prefix: string) => {
    const found = byName(r.objects, kind, prefix);
    expect(found, `${kind} ${prefix}`).toHaveLength(1);
    return found[0]!;
  };

  it('holds every part of the stack, each object valid against its kind API schema', () => {
    const kinds = r.objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`);
    for (const part of [
      'Namespace/swarmgate',
      'Secret/postgres',
      'StatefulSet/postgres',
      'Deployment/redis',
      'Job/migrate',
      'StatefulSet/api',
      'PodDisruptionBudget/api',
      'HorizontalPodAutoscaler/api',
      'Deployment/gateway',
      'Deployment/downstream',
      'Deployment/worker',
      'Deployment/prometheus',
      'ConfigMap/gateway-config',
      'ConfigMap/prometheus-config',
    ])
      expect(kinds).toContain(part);
    expect(r.objects.flatMap(schemaProblems)).toEqual([]);
    // The validators above let unknown field names pass; the API's types do not (a type check: seconds).
    expect(fieldNameProblems(r.objects, ROOT)).toEqual([]);
    expect(
      r.objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'swarmgate'),
    ).toBe(true);
  }, 60_000);

  it('selects pods that exist and names only objects that exist', () => {
    expect(selectorProblems(r.objects)).toEqual([]);
    expect(referenceProblems(r.objects)).toEqual([]);
  });

  it("probes only paths the services route (from the apps' own route tables and the gateway's config)", () => {
    const server = one('ConfigMap', 'gateway-snippets').data!['server.conf']!;
    const routes = {
      'swarmgate/api': api,
      'swarmgate/downstream': downstream,
      'swarmgate/worker': worker,
      nginx: gatewayRoutes(server),
    };
    expect(probeProblems(r.objects, routes)).toEqual([]);
    // Not vacuous: each of those images is probed, /ready and /health on the API.
    const probed = containers(r.objects).filter(({ c }) => c.readinessProbe?.httpGet);
    expect(probed.map(({ c }) => c.image!.split(':')[0]).sort()).toEqual(
      expect.arrayContaining(['nginx', 'swarmgate/api', 'swarmgate/downstream', 'swarmgate/worker']),
    );
    const apiPod = containers(r.objects).find(({ c }) => c.name === 'api')!.c;
    expect([apiPod.readinessProbe?.httpGet?.path, apiPod.livenessProbe?.httpGet?.path]).toEqual([
      '/ready',
      '/health',
    ]);
  });

  it("sets only environment variables the services' env.ts read, with values they accept", () => {
    // The replica (dist/bin/index.js) reads env.ts's whole schema; INSTANCE_ID comes from the pod's ordinal in its
    // command. The migration and the schema wait read the database URL alone (loadMigrateEnv, as migrate-cli does).
    const readApi = (env: Record<string, string>, c: IContainer) =>
      [...(c.command ?? []), ...(c.args ?? [])].join(' ').includes('dist/bin/index.js')
        ? loadApiEnv({ INSTANCE_ID: 'app1', ...env })
        : loadMigrateEnv(env);
    expect(envProblems(r.objects, 'swarmgate/api', readApi)).toEqual([]);
    expect(envProblems(r.objects, 'swarmgate/downstream', loadDownstreamEnv)).toEqual([]);
    expect(envProblems(r.objects, 'swarmgate/worker', loadWorkerEnv)).toEqual([]);
    expect(one('ConfigMap', 'api-env').data).toEqual(apiEnv(r.settings));
    expect(one('ConfigMap', 'worker-env').data).toEqual(workerEnvK8s(r.settings));
    const workerPod = containers(r.objects).find(({ c }) => c.name === 'worker')!.c;
    expect(workerPod.ports).toEqual([
      { name: 'http', containerPort: Number(workerEnvK8s(r.settings).WORKER_PORT) },
    ]);
    expect(one('Deployment', 'worker').spec.replicas).toBe(r.settings.stack.workers);
    // The port the API listens on (PORT) is the one its pods declare and its probes use.
    const apiPod = containers(r.objects).find(({ c }) => c.name === 'api')!.c;
    expect(apiPod.ports).toEqual([{ name: 'http', containerPort: Number(apiEnv(r.settings).PORT) }]);
  });

  it('runs images the repository builds (what their commands run included), and pinned official ones', () => {
    expect(imageProblems(r.objects, dockerfiles())).toEqual([]);
  });

  it('carries the gateway config the stack renderer gives for the same settings, file for file', () => {
    const vars = gatewayVars(k8sGatewayTarget(r.settings));
    const render = (path: string) =>
      renderTemplate(readFileSync(join(GATEWAY_TEMPLATES, path), 'utf8'), vars, path);
    expect(one('ConfigMap', 'gateway-config').data).toEqual({ 'nginx.conf': render('nginx.conf.template') });
    const snippets = readdirSync(join(GATEWAY_TEMPLATES, 'gateway.d'));
    expect(one('ConfigMap', 'gateway-snippets').data).toEqual(
      Object.fromEntries(snippets.map((f) => [f.replace(/\.template$/, ''), render(join('gateway.d', f))])),
    );
  });

  it('sizes the replicas and names each one the gateway can inspect: /appN/ is pod api-(N-1)', () => {
    const { replicas } = r.settings.stack;
    expect(one('StatefulSet', 'api').spec.replicas).toBe(replicas);
    expect(one('HorizontalPodAutoscaler', 'api').spec).toMatchObject({
      minReplicas: replicas,
      maxReplicas: r.settings.maxReplicas,
    });
    const upstreams = one('ConfigMap', 'gateway-snippets').data!['upstreams.conf']!;
    for (let n = 1; n <= r.settings.maxReplicas; n++) {
      expect(upstreams).toContain(`upstream replica_app${n} { zone replica_app${n} 64k;`);
      expect(upstreams).toContain(`server api-${n - 1}.api.swarmgate.svc.cluster.local:8000 resolve;`);
    }
    expect(upstreams).not.toContain(`replica_app${r.settings.maxReplicas + 1} `);
    expect(upstreams).toContain('server api-pool.swarmgate.svc.cluster.local:8000 resolve max_fails=2');
    expect(/^\s*least_conn;/m.test(upstreams)).toBe(r.settings.stack.balance === 'least_conn');
  });

  it("carries Prometheus's pod-discovery config, valid for promtool, and the native stack's flags", () => {
    const config = one('ConfigMap', 'prometheus-config').data!['prometheus.yml']!;
    const template = readFileSync(PROMETHEUS_K8S_TEMPLATE, 'utf8');
    expect(config).toBe(fillTemplate(template, prometheusK8sVars(r.settings), 'PROMETHEUS_'));
    expect(config).toContain('kubernetes_sd_configs');
    const promtool = (text: string) => {
      const file = join(tmpdir(), `swarmgate-k8s-prometheus-${overlay}-${process.pid}.yml`);
      writeFileSync(file, text);
      return spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8', timeout: 30_000 });
    };
    let check = promtool(config);
    // Debian's promtool is built without Kubernetes discovery: there, the rest of the config (relabelling regexes,
    // intervals) is checked with a static target in its place; a full promtool checks the config as it is.
    if (check.status !== 0 && /kubernetes_sd_configs not found/.test(check.stdout + check.stderr)) {
      const doc = parse(config);
      for (const job of doc.scrape_configs) {
        expect(job.kubernetes_sd_configs).toBeDefined();
        delete job.kubernetes_sd_configs;
        job.static_configs = [{ targets: ['pod:8000'] }];
      }
      check = promtool(stringify(doc));
    }
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    const prometheus = containers(r.objects).find(({ c }) => c.name === 'prometheus')!.c;
    expect(prometheus.args).toEqual(prometheusK8sArgs(r.settings));
  });
});
