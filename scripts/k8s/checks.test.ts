import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv as loadDownstreamEnv } from '../../services/downstream/src/env';
import { fieldNameProblems } from './field-names';
import { dockerfileOutputs, imageProblems } from './images';
import {
  envProblems,
  type K8sObject,
  probeProblems,
  referenceProblems,
  selectorProblems,
} from './references';
import { schemaProblems } from './schemas';
import { dockerfiles, type Rendered, ROOT, renderOverlay } from './test-support';

// Each check on the real manifests with one defect put in: it must name that defect. (manifests.test.ts shows
// the same checks find nothing wrong in the manifests as rendered.)
let r: Rendered;
beforeAll(() => {
  r = renderOverlay({ OVERLAY: 'local' });
}, 60_000);
afterAll(() => r?.cleanup());

/** A deep copy of the rendered objects with `change` applied to the one of `kind` whose name starts with `name`. */
function broken(kind: string, name: string, change: (o: K8sObject) => void): K8sObject[] {
  const copy = structuredClone(r.objects);
  const target = copy.find((o) => o.kind === kind && o.metadata.name.startsWith(name));
  if (!target) throw new Error(`no ${kind} ${name} to break`);
  change(target);
  return copy;
}
const apiContainer = (o: K8sObject) => o.spec.template.spec.containers[0];

describe('schema', () => {
  it('names a field of the wrong type and a missing required one', () => {
    const objects = broken('StatefulSet', 'api', (o) => {
      apiContainer(o).ports[0].containerPort = 'http';
    });
    expect(objects.flatMap(schemaProblems).join('\n')).toMatch(
      /StatefulSet\/api: .*containerPort must be integer/,
    );
    const noSelector = broken('Deployment', 'gateway', (o) => delete o.spec.selector);
    expect(noSelector.flatMap(schemaProblems).join('\n')).toMatch(/Deployment\/gateway: .*selector/);
  });

  it('refuses a kind it has no schema for rather than passing it', () => {
    expect(schemaProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toEqual([
      'Pod/x: no schema for v1 Pod (scripts/k8s/schemas.ts)',
    ]);
  });
});

describe('selectors', () => {
  it('finds a Service that selects no pod, and a targetPort no container declares', () => {
    const none = broken('Service', 'gateway', (o) => {
      o.spec.selector = { 'app.kubernetes.io/name': 'gatewy' };
    });
    expect(selectorProblems(none)).toEqual([
      expect.stringMatching(/^Service\/gateway: selector .* matches no pod/),
    ]);
    const port = broken('Service', 'api-pool', (o) => {
      o.spec.ports[0].targetPort = 'htp';
    });
    expect(selectorProblems(port)).toEqual([
      'Service/api-pool: targetPort "htp" is no container port of the pods it selects',
    ]);
    const number = broken('Service', 'redis', (o) => {
      o.spec.ports[0].targetPort = 6380;
    });
    expect(selectorProblems(number)).toEqual([
      'Service/redis: targetPort 6380 is no container port of the pods it selects',
    ]);
  });

  it('finds a budget, an autoscaler and a StatefulSet whose targets are missing', () => {
    const pdb = broken('PodDisruptionBudget', 'api', (o) => {
      o.spec.selector.matchLabels = { app: 'api' };
    });
    expect(selectorProblems(pdb)).toEqual(['PodDisruptionBudget/api: selector matches no pod template']);
    const hpa = broken('HorizontalPodAutoscaler', 'api', (o) => {
      o.spec.scaleTargetRef.kind = 'Deployment';
    });
    expect(selectorProblems(hpa)).toEqual([
      'HorizontalPodAutoscaler/api: scales Deployment/api, which does not exist',
    ]);
    const sts = broken('Service', 'api', (o) => {
      if (o.metadata.name === 'api') delete o.spec.clusterIP;
    });
    expect(selectorProblems(sts)).toEqual(['StatefulSet/api: serviceName "api" is no headless Service']);
  });
});

describe('references', () => {
  it('finds a missing ConfigMap, a missing Secret key, a subPath without its key and an undeclared probe port', () => {
    const objects = broken('StatefulSet', 'api', (o) => {
      apiContainer(o).envFrom[0].configMapRef.name = 'api-settings';
      apiContainer(o).env[0].valueFrom.secretKeyRef.key = 'URL';
      apiContainer(o).readinessProbe.httpGet.port = 'web';
    });
    expect(referenceProblems(objects)).toEqual([
      'StatefulSet/api container api: ConfigMap "api-settings" does not exist',
      'StatefulSet/api container api: Secret postgres has no key "URL"',
      'StatefulSet/api container api: a probe uses port "web", which the container does not declare',
    ]);
    const gateway = broken('Deployment', 'gateway', (o) => {
      apiContainer(o).volumeMounts[0].subPath = 'gateway.conf';
      o.spec.template.spec.volumes.pop();
    });
    expect(referenceProblems(gateway)).toEqual([
      expect.stringMatching(
        /^Deployment\/gateway container nginx: ConfigMap gateway-config-\w+ has no key "gateway.conf"$/,
      ),
      'Deployment/gateway container nginx: mounts snippets, which is no volume',
    ]);
  });

  it('finds a RoleBinding to a missing Role and a pod of a missing ServiceAccount', () => {
    const objects = broken('Role', 'prometheus', (o) => {
      o.metadata.name = 'prometheus-reader';
    });
    expect(referenceProblems(objects)).toEqual(['RoleBinding/prometheus: Role "prometheus" does not exist']);
    const account = broken('ServiceAccount', 'prometheus', (o) => {
      o.metadata.name = 'prom';
    });
    expect(referenceProblems(account)).toEqual([
      'Deployment/prometheus: ServiceAccount "prometheus" does not exist',
      'RoleBinding/prometheus: ServiceAccount "prometheus" does not exist',
    ]);
  });
});

describe('probes, environment and images', () => {
  it('finds a probe path the service does not route', () => {
    const objects = broken('StatefulSet', 'api', (o) => {
      apiContainer(o).readinessProbe.httpGet.path = '/readyz';
    });
    expect(probeProblems(objects, { 'swarmgate/api': ['/health', '/ready'] })).toEqual([
      'StatefulSet/api container api: probe path /readyz is not among its routes (/health, /ready)',
    ]);
  });

  it("finds a variable the service's env.ts does not read, and a value it refuses", () => {
    const objects = broken('Deployment', 'downstream', (o) => {
      apiContainer(o).env.push({ name: 'LATENCY', value: '10' }, { name: 'ERROR_RATE', value: '2' });
    });
    const problems = envProblems(objects, 'swarmgate/downstream', loadDownstreamEnv);
    expect(problems).toEqual([
      expect.stringMatching(/Deployment\/downstream container downstream: .*ERROR_RATE/s),
    ]);
    const unknown = broken('Deployment', 'downstream', (o) => {
      apiContainer(o).env.push({ name: 'LATENCY', value: '10' });
    });
    expect(envProblems(unknown, 'swarmgate/downstream', loadDownstreamEnv)).toEqual([
      "Deployment/downstream container downstream: sets LATENCY, which swarmgate/downstream's env.ts does not read",
    ]);
  });

  it('resolves Secret data as base64, as the API server stores it', () => {
    const objects = broken('Secret', 'postgres', (o) => {
      o.data = { DATABASE_URL: Buffer.from('postgres://x@y/z').toString('base64') };
      delete o.stringData;
    });
    const seen: string[] = [];
    envProblems(objects, 'swarmgate/api', (env) => {
      seen.push(env.DATABASE_URL!);
      return env;
    });
    // The schema waits, the replica and the migration each read it from the Secret.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set(['postgres://x@y/z']));
  });

  it('finds an image nothing builds, a file its Dockerfile does not build, and an unpinned image', () => {
    const objects = broken('Deployment', 'gateway', (o) => {
      apiContainer(o).image = 'nginx';
      o.spec.template.spec.containers[1].image = 'nginx/nginx-prometheus-exporter:latest';
    });
    expect(imageProblems(objects, dockerfiles())).toEqual([
      'Deployment/gateway container nginx: image nginx is not pinned to a tag',
      'Deployment/gateway container exporter: image nginx/nginx-prometheus-exporter:latest is not pinned to a tag',
    ]);
    const job = broken('Job', 'migrate', (o) => {
      apiContainer(o).command = ['node', 'dist/bin/migrate.js'];
    });
    expect(imageProblems(job, dockerfiles())).toEqual([
      'Job/migrate container migrate: runs dist/bin/migrate.js, which services/api/Dockerfile does not build (dist/bin/index.js, dist/bin/migrate-cli.js)',
    ]);
    const none = broken('Deployment', 'downstream', (o) => {
      apiContainer(o).image = 'swarmgate/upstream:local';
    });
    expect(imageProblems(none, dockerfiles())).toEqual([
      'Deployment/downstream container downstream: image swarmgate/upstream:local, but there is no services/upstream/Dockerfile',
    ]);
  });

  it("reads a Dockerfile's outputs relative to its runtime WORKDIR", () => {
    expect(dockerfileOutputs(dockerfiles().api!)).toMatchObject({
      workdir: 'services/api',
      cmd: ['node', 'dist/bin/index.js'],
      files: ['dist/bin/index.js', 'dist/bin/migrate-cli.js'],
    });
  });
});

describe('field names', () => {
  it('finds a misspelt field deep in a pod template, and a field of the wrong type', () => {
    const objects = broken('StatefulSet', 'api', (o) => {
      const c = apiContainer(o);
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
      o.spec.replicas = 'three';
    });
    const problems = fieldNameProblems(objects, ROOT);
    expect(problems).toEqual([
      `StatefulSet/api: Type 'string' is not assignable to type 'number'. (at "replicas")`,
      expect.stringMatching(/^StatefulSet\/api: .*readinesProbe.* does not exist in type 'IContainer'/),
    ]);
  }, 60_000);
});
