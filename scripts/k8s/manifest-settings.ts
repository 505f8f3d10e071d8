import { fileURLToPath } from 'node:url';
import { COMPOSE_INSPECT_ALLOW, type GatewayTarget } from '../stack/gateway-config';
import { prometheusArgs } from '../stack/monitoring-config';
import type { TemplateVars } from '../stack/template';
import { nativeTopology, type Replica, replicaEnv, type Topology, workerEnv } from '../stack/topology';
import type { K8sSettings } from './settings';

/**
 * What `make k8s-render` puts into the manifests for a set of settings, computed without I/O by the functions the
 * native and compose stacks use (gatewayVars' target, replicaEnv, prometheusArgs), for Kubernetes names:
 * namespace `swarmgate`, the API's pods api-0, api-1, ... behind the headless Service `api`, Postgres, Redis and
 * the downstream service under their Service names, every container on its own fixed port.
 */
export const NAMESPACE = 'swarmgate';
/** The API container's port (PORT); the gateway's listen and stub_status ports; the downstream's. */
export const PORTS = {
  api: 8000,
  gateway: 8080,
  gatewayStatus: 8081,
  downstream: 8500,
  worker: 8601,
  postgres: 5432,
  redis: 6379,
};
/** deploy/k8s at the repository root. */
export const K8S_DIR = fileURLToPath(new URL('../../deploy/k8s', import.meta.url));
/** Where the rendered config sits in the Prometheus pod (base/prometheus.yaml mounts the ConfigMap there). */
export const PROMETHEUS_CONFIG_FILE = '/etc/prometheus/rendered/prometheus.yml';

/** A Service's name as nginx's resolver must ask for it: fully qualified, since it applies no search domains. */
export const serviceHost = (s: K8sSettings, service: string) =>
  `${service}.${NAMESPACE}.svc.${s.clusterDomain}`;

/**
 * The replicas the gateway can inspect, app1 … app<K8S_MAX_REPLICAS>: app<N> is the StatefulSet's pod api-<N-1>,
 * by its stable name under the headless Service `api`. Names of pods the autoscaler has not started yet do not
 * resolve, and their /appN/ answers 502 until they exist.
 */
export function k8sReplicas(s: K8sSettings): Replica[] {
  return Array.from({ length: s.maxReplicas }, (_, i) => ({
    name: `app${i + 1}`,
    index: i + 1,
    host: `api-${i}.${serviceHost(s, 'api')}`,
    port: PORTS.api,
  }));
}

/** The stack as Kubernetes lays it out, in the shape the native runner's functions take. */
export function k8sTopology(s: K8sSettings): Topology {
  const { pgbouncer: _none, ...native } = nativeTopology(s.stack);
  return {
    ...native,
    replicas: k8sReplicas(s),
    postgres: { host: 'postgres', port: PORTS.postgres, database: s.stack.database },
    redis: { host: 'redis', port: PORTS.redis },
    downstream: { host: 'downstream', port: PORTS.downstream },
  };
}

/** The gateway's template values' target: compose's container paths, Kubernetes names, re-resolved at run time. */
export function k8sGatewayTarget(s: K8sSettings): GatewayTarget {
  return {
    listen: String(PORTS.gateway),
    runDir: '/var/cache/nginx',
    accessLog: '/dev/stdout',
    errorLog: '/dev/stderr',
    balance: s.stack.balance,
    replicas: k8sReplicas(s),
    readTimeoutS: s.stack.gatewayReadTimeoutS,
    // As under compose: a client comes through a NodePort or a port-forward from a private address of the node or
    // the pod network, so those ranges stand for "the cluster's operator" unless GATEWAY_INSPECT_ALLOW says else.
    inspectAllow: s.inspectAllowSet ? s.stack.gatewayInspectAllow : COMPOSE_INSPECT_ALLOW,
    statusListen: String(PORTS.gatewayStatus),
    quota: s.stack.quota,
    // valid=5s: a replaced pod's new address is used within seconds (nginx would otherwise keep the DNS TTL).
    resolver: `kube-dns.kube-system.svc.${s.clusterDomain} valid=5s`,
    pool: { host: serviceHost(s, 'api-pool'), port: PORTS.api },
  };
}

/**
 * The API replicas' environment (ConfigMap `api-env`): the native runner's replicaEnv for this topology, less what
 * differs per pod (INSTANCE_ID, from the pod's ordinal) and the database URL (from the Secret `postgres`).
 */
export function apiEnv(s: K8sSettings): Record<string, string> {
  const t = k8sTopology(s);
  const {
    INSTANCE_ID: _perPod,
    DATABASE_URL: _secret,
    ...shared
  } = replicaEnv(t, t.replicas[0]!, '0.0.0.0', s.stack);
  return shared;
}

/**
 * The ingest workers' environment (ConfigMap `worker-env`): the native runner's workerEnv, listening on every
 * interface (the kubelet probes the pod's address), less WORKER_NAME (each worker's default, its pod name and pid,
 * is its consumer name) and the database URL (from the Secret `postgres`).
 */
export function workerEnvK8s(s: K8sSettings): Record<string, string> {
  const worker = { name: 'worker', index: 1, host: '0.0.0.0', port: PORTS.worker };
  const {
    WORKER_NAME: _perPod,
    DATABASE_URL: _secret,
    ...shared
  } = workerEnv(k8sTopology(s), worker, s.stack);
  return { WORKER_HOST: worker.host, ...shared };
}

export type PrometheusK8sVars = TemplateVars<'PROMETHEUS_'>;

/** deploy/k8s/templates/prometheus.yml.template's values. */
export const prometheusK8sVars = (s: K8sSettings): PrometheusK8sVars => ({
  PROMETHEUS_SCRAPE_INTERVAL: s.stack.scrapeInterval,
  PROMETHEUS_NAMESPACE: NAMESPACE,
});

/** Prometheus's flags: the native stack's, for the pod's paths. */
export const prometheusK8sArgs = (s: K8sSettings) =>
  prometheusArgs({
    configFile: PROMETHEUS_CONFIG_FILE,
    dataDir: '/prometheus',
    listen: ':9090',
    retention: s.stack.prometheusRetention,
  });
