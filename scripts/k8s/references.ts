import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/**
 * Cross-reference checks of rendered manifests, pure functions of the parsed objects (no cluster): each returns
 * the problems it finds, one message each naming the object, [] when all is well.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are data of many shapes; each check reads what it needs.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  [field: string]: any;
}

/** A pod template and the workload that owns it. */
export interface PodTemplate {
  owner: string;
  labels: Record<string, string>;
  spec: IPodSpec;
  /** A StatefulSet's volumeClaimTemplates' names: volumes its pods mount without declaring them. */
  claims: string[];
}

const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((o) => {
    if (!['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind)) return [];
    const template = o.spec?.template ?? {};
    return [
      {
        owner: id(o),
        labels: template.metadata?.labels ?? {},
        spec: template.spec ?? { containers: [] },
        claims: (o.spec?.volumeClaimTemplates ?? []).map((c: K8sObject) => c.metadata.name),
      },
    ];
  });
}

/** Every container of a pod, init containers included. */
export const containersOf = (spec: IPodSpec): IContainer[] => [
  ...(spec.initContainers ?? []),
  ...spec.containers,
];

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Services, disruption budgets and workloads select pods that exist: a Service's selector matches some pod
 * template's labels, and each of its ports' targetPort (a number or a name; the port itself when absent) is a
 * port a selected container declares; a PDB's selector matches a template; a workload's selector its own template;
 * an HPA's target exists; a StatefulSet's serviceName is a headless Service.
 */
export function selectorProblems(objects: K8sObject[]): string[] {
  const templates = podTemplates(objects);
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Service') {
      const selected = templates.filter((t) => selects(o.spec?.selector, t.labels));
      if (selected.length === 0) {
        problems.push(`${id(o)}: selector ${JSON.stringify(o.spec?.selector)} matches no pod template`);
        continue;
      }
      for (const port of o.spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const declared = selected.some((t) =>
          t.spec.containers.some((c) =>
            (c.ports ?? []).some((p) =>
              typeof target === 'number' ? p.containerPort === target : p.name === target,
            ),
          ),
        );
        if (!declared) {
          problems.push(
            `${id(o)}: targetPort ${JSON.stringify(target)} is no container port of the pods it selects`,
          );
        }
      }
    } else if (o.kind === 'PodDisruptionBudget') {
      if (!templates.some((t) => selects(o.spec?.selector?.matchLabels, t.labels))) {
        problems.push(`${id(o)}: selector matches no pod template`);
      }
    } else if (o.kind === 'HorizontalPodAutoscaler') {
      const ref = o.spec?.scaleTargetRef ?? {};
      if (!find(objects, ref.kind, ref.name))
        problems.push(`${id(o)}: scales ${ref.kind}/${ref.name}, which does not exist`);
    }
    if (['Deployment', 'StatefulSet'].includes(o.kind)) {
      if (!selects(o.spec?.selector?.matchLabels, o.spec?.template?.metadata?.labels ?? {})) {
        problems.push(`${id(o)}: selector does not match its own pod template's labels`);
      }
    }
    if (o.kind === 'StatefulSet') {
      const service = find(objects, 'Service', o.spec?.serviceName);
      if (service?.spec?.clusterIP !== 'None') {
        problems.push(`${id(o)}: serviceName ${JSON.stringify(o.spec?.serviceName)} is no headless Service`);
      }
    }
  }
  return problems;
}

/** The keys a ConfigMap or Secret holds (data and stringData). */
const keysOf = (o: K8sObject | undefined) =>
  new Set([...Object.keys(o?.data ?? {}), ...Object.keys(o?.stringData ?? {})]);

/**
 * Everything a pod template names exists: the ConfigMaps, Secrets (and their keys) and claims of its volumes, env
 * and envFrom; each volumeMount's volume (a StatefulSet's claim templates count) and a subPath's key in its
 * ConfigMap; named probe ports among the container's ports; the ServiceAccount. Also each RoleBinding's Role and
 * ServiceAccounts.
 */
export function referenceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const need = (owner: string, kind: string, name: string | undefined, key?: string) => {
    const target = name === undefined ? undefined : find(objects, kind, name);
    if (!target) problems.push(`${owner}: ${kind} ${JSON.stringify(name)} does not exist`);
    else if (key !== undefined && !keysOf(target).has(key)) {
      problems.push(`${owner}: ${kind} ${name} has no key ${JSON.stringify(key)}`);
    }
  };
  for (const t of podTemplates(objects)) {
    const volumes = new Map((t.spec.volumes ?? []).map((v) => [v.name, v]));
    for (const v of volumes.values()) {
      if (v.configMap) {
        need(t.owner, 'ConfigMap', v.configMap.name);
        for (const item of v.configMap.items ?? []) need(t.owner, 'ConfigMap', v.configMap.name, item.key);
      }
      if (v.secret) need(t.owner, 'Secret', v.secret.secretName);
      if (v.persistentVolumeClaim) need(t.owner, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName);
    }
    if (t.spec.serviceAccountName) need(t.owner, 'ServiceAccount', t.spec.serviceAccountName);
    for (const c of containersOf(t.spec)) {
      const owner = `${t.owner} container ${c.name}`;
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) need(owner, 'ConfigMap', from.configMapRef.name);
        if (from.secretRef) need(owner, 'Secret', from.secretRef.name);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        const secret = e.valueFrom?.secretKeyRef;
        if (cm) need(owner, 'ConfigMap', cm.name, cm.key);
        if (secret) need(owner, 'Secret', secret.name, secret.key);
      }
      for (const m of c.volumeMounts ?? []) {
        const volume = volumes.get(m.name);
        if (!volume && !t.claims.includes(m.name))
          problems.push(`${owner}: mounts ${m.name}, which is no volume`);
        if (volume?.configMap && m.subPath) need(owner, 'ConfigMap', volume.configMap.name, m.subPath);
      }
      const portNames = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (typeof port === 'string' && !portNames.has(port)) {
          problems.push(
            `${owner}: a probe uses port ${JSON.stringify(port)}, which the container does not declare`,
          );
        }
      }
    }
  }
  for (const o of objects.filter((x) => x.kind === 'RoleBinding')) {
    need(id(o), o.roleRef?.kind, o.roleRef?.name);
    for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') need(id(o), 'ServiceAccount', s.name);
  }
  return problems;
}

/** The image's repository without its tag or digest: `swarmgate/api:local` → `swarmgate/api`. */
export const imageName = (image: string) => image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');

/** Every container with its pod template, for checks keyed on the image. */
export const containers = (objects: K8sObject[]) =>
  podTemplates(objects).flatMap((t) =>
    containersOf(t.spec).map((c) => ({ owner: `${t.owner} container ${c.name}`, c })),
  );

/**
 * Probe paths are routes the container serves: `routes` maps an image name (`swarmgate/api`) to its paths; a
 * probe of an image not in the map is not judged here.
 */
export function probeProblems(objects: K8sObject[], routes: Record<string, string[]>): string[] {
  return containers(objects).flatMap(({ owner, c }) => {
    const served = routes[imageName(c.image ?? '')];
    if (!served) return [];
    return [c.readinessProbe, c.livenessProbe, c.startupProbe]
      .map((p) => p?.httpGet?.path)
      .filter((path): path is string => path !== undefined && !served.includes(path))
      .map((path) => `${owner}: probe path ${path} is not among its routes (${served.join(', ')})`);
  });
}

/**
 * A container's environment as literal values: `value`s, Secret and ConfigMap keys it references (a Secret's
 * `data` base64-decoded), and every key of its envFrom sources. Unresolvable references are left out (the
 * reference check reports them); fieldRef values become `<fieldRef path>`.
 */
export function containerEnv(objects: K8sObject[], c: IContainer): Record<string, string> {
  const value = (kind: string, name: string, key: string) => {
    const o = find(objects, kind, name);
    const raw = o?.stringData?.[key] ?? o?.data?.[key];
    return raw !== undefined && kind === 'Secret' && o?.stringData?.[key] === undefined
      ? Buffer.from(raw, 'base64').toString('utf8')
      : raw;
  };
  const env: Record<string, string | undefined> = {};
  for (const from of c.envFrom ?? []) {
    const [kind, name] = from.configMapRef
      ? ['ConfigMap', from.configMapRef.name]
      : ['Secret', from.secretRef?.name];
    for (const key of keysOf(find(objects, kind!, name ?? '')))
      env[`${from.prefix ?? ''}${key}`] = value(kind!, name!, key);
  }
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    const field = e.valueFrom?.fieldRef;
    env[e.name] = cm
      ? value('ConfigMap', cm.name!, cm.key)
      : secret
        ? value('Secret', secret.name!, secret.key)
        : field
          ? `<${field.fieldPath}>`
          : (e.value ?? '');
  }
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Every variable set on a container of image `image` is one its env reader accepts, with a value it accepts:
 * `read(env, container)` is the service's own loader (its env.ts, the one the container's command uses) given the
 * container's environment (plus what it gets elsewhere, e.g. INSTANCE_ID from its command); it throws on a bad
 * value and returns the settings it knows, so a variable missing from its result is one the service never reads.
 */
export function envProblems(
  objects: K8sObject[],
  image: string,
  read: (env: Record<string, string>, c: IContainer) => object,
): string[] {
  return containers(objects)
    .filter(({ c }) => imageName(c.image ?? '') === image)
    .flatMap(({ owner, c }) => {
      const env = containerEnv(objects, c);
      let known: object;
      try {
        known = read(env, c);
      } catch (err) {
        return [`${owner}: ${(err as Error).message}`];
      }
      return Object.keys(env)
        .filter((key) => !(key in known))
        .map((key) => `${owner}: sets ${key}, which ${image}'s env.ts does not read`);
    });
}
