import { loadSettings, MAX_REPLICAS, SettingsError, type StackSettings } from '../stack/settings';

/**
 * The settings of `make k8s-render`: the stack's own (scripts/stack/settings.ts: REPLICAS, BALANCE, QUOTA_*,
 * GATEWAY_READ_TIMEOUT_S, GATEWAY_INSPECT_ALLOW, LOG_LEVEL, LAB, SCRAPE_INTERVAL, PROMETHEUS_RETENTION,
 * STACK_PG_MAX_CONNECTIONS, INGEST_BACKLOG_LIMIT, STACK_DIR), read and checked by the same function, plus
 * OVERLAY (local or cluster; default local), K8S_MAX_REPLICAS (the autoscaler's ceiling, REPLICAS to 16; default
 * 6 for local, 10 for cluster) and K8S_CLUSTER_DOMAIN (default cluster.local). Ports are the containers' own, so
 * the host port settings (GATEWAY_PORT, ...) do not apply. A bad value throws a `SettingsError` naming it.
 * Example: `loadK8sSettings({ OVERLAY: 'cluster', REPLICAS: '4' })` → replicas 4, maxReplicas 10.
 */
export interface K8sSettings {
  stack: StackSettings;
  overlay: 'local' | 'cluster';
  /** HPA maxReplicas; the gateway has an /appN/ prefix for each replica up to it. */
  maxReplicas: number;
  clusterDomain: string;
  /** Whether GATEWAY_INSPECT_ALLOW was set (else the pod network's private ranges may inspect, as under compose). */
  inspectAllowSet: boolean;
}

export const OVERLAYS = ['local', 'cluster'] as const;
const DEFAULT_MAX_REPLICAS = { local: 6, cluster: 10 } as const;

export function loadK8sSettings(
  source: Record<string, string | undefined> = process.env,
  root = process.cwd(),
) {
  const problems: string[] = [];
  let stack: StackSettings | undefined;
  try {
    stack = loadSettings(source, root);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    problems.push(...err.problems);
  }
  const read = (key: string) => (source[key] === '' ? undefined : source[key]);
  const overlay = (read('OVERLAY') ?? 'local') as K8sSettings['overlay'];
  if (!OVERLAYS.includes(overlay)) {
    problems.push(`OVERLAY: must be one of ${OVERLAYS.join(', ')} (got ${JSON.stringify(read('OVERLAY'))})`);
  }
  const replicas = stack?.replicas ?? 1;
  const rawMax = read('K8S_MAX_REPLICAS');
  const maxReplicas =
    rawMax === undefined ? Math.max(replicas, DEFAULT_MAX_REPLICAS[overlay] ?? 6) : Number(rawMax);
  if (!Number.isInteger(maxReplicas) || maxReplicas < replicas || maxReplicas > MAX_REPLICAS) {
    problems.push(
      `K8S_MAX_REPLICAS: must be a whole number from REPLICAS (${replicas}) to ${MAX_REPLICAS} (got ${JSON.stringify(rawMax)})`,
    );
  }
  const clusterDomain = read('K8S_CLUSTER_DOMAIN') ?? 'cluster.local';
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(clusterDomain)) {
    problems.push(
      `K8S_CLUSTER_DOMAIN: must be a DNS domain like cluster.local (got ${JSON.stringify(clusterDomain)})`,
    );
  }
  // What the manifests do not offer (yet): refused by name rather than silently left out.
  if (stack?.pgbouncer === 'on')
    problems.push(
      'PGBOUNCER: on is not available on Kubernetes (the manifests have no PgBouncer); leave it off',
    );
  if (stack?.supervise === 'on')
    problems.push(
      'SUPERVISE: on is for the native stack; on Kubernetes the kubelet restarts a replica that dies',
    );
  if (stack && stack.database !== 'swarmgate') {
    problems.push(
      `STACK_DATABASE: the Kubernetes stack's database is swarmgate (its Secret's URL); got ${JSON.stringify(stack.database)}`,
    );
  }
  if (problems.length > 0 || !stack) throw new SettingsError(problems);
  return {
    stack,
    overlay,
    maxReplicas,
    clusterDomain,
    inspectAllowSet: read('GATEWAY_INSPECT_ALLOW') !== undefined,
  } satisfies K8sSettings;
}
