import type { StackSettings } from './settings';
import { fillTemplate, type TemplateVars } from './template';
import type { Replica } from './topology';

/**
 * The values of the gateway templates' `${GATEWAY_*}` placeholders (gateway/*.template). Pure: the native runner
 * renders them into `.stack/nginx/conf`, and docker-compose.yml carries the same values (for its three replicas)
 * as environment variables of the nginx image, whose envsubst step fills in the same templates.
 */
export interface GatewayTarget {
  /** `listen` argument: `127.0.0.1:8080` natively, `8080` in a container. */
  listen: string;
  /** pid file and temporary files. */
  runDir: string;
  accessLog: string;
  errorLog: string;
  balance: StackSettings['balance'];
  replicas: Pick<Replica, 'name' | 'host' | 'port'>[];
  /** proxy_read_timeout in seconds (GATEWAY_READ_TIMEOUT_S). */
  readTimeoutS: number;
  /** Addresses and networks whose clients may inspect replicas (GATEWAY_INSPECT_ALLOW); none when empty. */
  inspectAllow: string[];
  /** `listen` argument of the stub_status server: `127.0.0.1:8081` natively, `8081` in a container. */
  statusListen: string;
  /** Per-client quotas (gateway.d/quota.conf); off when absent or when `rate` is null. */
  quota?: Quota;
  /**
   * Kubernetes: nginx's `resolver` (e.g. `kube-dns.kube-system.svc.cluster.local valid=5s`). When set, every
   * upstream resolves its servers' names again while it runs (`server … resolve`, nginx >= 1.27.3) instead of once
   * at start, because a pod that is replaced comes back with another address; each per-replica upstream then gets
   * the shared memory zone `resolve` needs. Absent natively and under compose, whose output stays as it was.
   */
  resolver?: string;
  /**
   * Kubernetes: one name that resolves to every ready replica (a headless Service), listed as the balanced
   * upstream's only server instead of one server per replica, so replicas an autoscaler adds are balanced over
   * too. Only with `resolver`.
   */
  pool?: Pick<Replica, 'host' | 'port'>;
}

/** QUOTA_RATE, QUOTA_BURST, QUOTA_KEY_HEADER as the stack settings hold them. */
export interface Quota {
  /** nginx's rate syntax, `50r/s` or `600r/m`; null: quotas off. */
  rate: string | null;
  /** Requests a client may send over the rate at once before it gets 429s. */
  burst: number;
  /** The request header that names a client (else its address), e.g. `X-API-Key`. */
  keyHeader: string;
}

export const QUOTA_OFF: Quota = { rate: null, burst: 0, keyHeader: 'X-API-Key' };

/** nginx's variable for request header `name`: `X-API-Key` → `$http_x_api_key`. */
export const headerVariable = (name: string) => `$http_${name.toLowerCase().replaceAll('-', '_')}`;

/**
 * Retry-After for a rate, in whole seconds: the time one request's share of it takes, at least 1.
 * Example: `retryAfterS('50r/s')` → 1, `retryAfterS('20r/m')` → 3.
 */
export function retryAfterS(rate: string): number {
  const match = /^([0-9]+)r\/(s|m)$/.exec(rate);
  if (!match || Number(match[1]) <= 0) throw new Error(`not an nginx rate: ${JSON.stringify(rate)}`);
  const perSecond = Number(match[1]) / (match[2] === 'm' ? 60 : 1);
  return Math.max(1, Math.ceil(1 / perSecond));
}

/** The quota placeholders: the zone and the limit directives, empty when quotas are off. */
function quotaVars(q: Quota) {
  const on = q.rate !== null;
  return {
    GATEWAY_QUOTA_KEY_VAR: headerVariable(q.keyHeader),
    GATEWAY_QUOTA_ZONE: on ? `limit_req_zone $gateway_quota_key zone=gateway_quota:10m rate=${q.rate};` : '',
    GATEWAY_QUOTA_LIMIT: on ? `limit_req zone=gateway_quota burst=${q.burst} nodelay;` : '',
    GATEWAY_QUOTA_RETRY_AFTER: on ? String(retryAfterS(q.rate!)) : '',
  };
}

export type GatewayVars = TemplateVars<'GATEWAY_'>;

/** Passive health check of a replica in the shared upstream; see gateway/gateway.d/upstreams.conf.template. */
export const PASSIVE_HEALTH = 'max_fails=2 fail_timeout=5s';

/**
 * Who may inspect replicas under docker-compose. Docker publishes the gateway's port on the host's 127.0.0.1 only,
 * and a connection through it reaches the container from the bridge network's gateway address (a private address
 * that differs from machine to machine), never from 127.0.0.1. So there the private ranges stand for "this host
 * and the compose network's own services", as loopback does natively.
 */
export const COMPOSE_INSPECT_ALLOW = ['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function gatewayVars(t: GatewayTarget): GatewayVars {
  const address = (r: Pick<Replica, 'host' | 'port'>) => `${r.host}:${r.port}`;
  if (t.pool && !t.resolver) throw new Error('a gateway pool name needs a resolver');
  // With a resolver (Kubernetes) each upstream carries it, its servers are re-resolved while nginx runs, and a
  // per-replica upstream gets the zone that needs; without one these are empty and the output is as it always was.
  const resolver = t.resolver ? `resolver ${t.resolver}; ` : '';
  const resolve = t.resolver ? ' resolve' : '';
  const zone = (name: string) => (t.resolver ? ` zone replica_${name} 64k;` : '');
  const balanced = t.pool ? [t.pool] : t.replicas;
  return {
    GATEWAY_LISTEN: t.listen,
    GATEWAY_RUN_DIR: t.runDir,
    GATEWAY_ACCESS_LOG: t.accessLog,
    GATEWAY_ERROR_LOG: t.errorLog,
    GATEWAY_BALANCE: t.balance === 'least_conn' ? 'least_conn;' : '',
    GATEWAY_API_SERVERS:
      resolver + balanced.map((r) => `server ${address(r)}${resolve} ${PASSIVE_HEALTH};`).join(' '),
    // keepalive 4: a replica seen through its own prefix gets only probes; a few idle connections are plenty.
    GATEWAY_REPLICA_UPSTREAMS: t.replicas
      .map(
        (r) =>
          `upstream replica_${r.name} {${zone(r.name)} ${resolver}server ${address(r)}${resolve}; keepalive 4; keepalive_timeout 60s; }`,
      )
      .join(' '),
    GATEWAY_REPLICA_MAP: t.replicas.map((r) => `${r.name.replace(/^app/, '')} replica_${r.name};`).join(' '),
    GATEWAY_READ_TIMEOUT: `${t.readTimeoutS}s`,
    // The body of a `geo` block (gateway.d/inspect.conf): each network maps to 1, everything else to 0.
    GATEWAY_INSPECT_GEO: t.inspectAllow.map((network) => `${network} 1;`).join(' '),
    GATEWAY_STATUS_LISTEN: t.statusListen,
    ...quotaVars(t.quota ?? QUOTA_OFF),
  };
}

/**
 * Fills `${GATEWAY_X}` (and `$GATEWAY_X`, as envsubst does) from `vars`. A placeholder without a value throws,
 * naming it, so a template and its renderer cannot silently disagree. Other `$names` (nginx's) stay as they are.
 * Example: `renderTemplate('listen ${GATEWAY_LISTEN};', { GATEWAY_LISTEN: '8080' })` → `'listen 8080;'`.
 */
export const renderTemplate = (template: string, vars: GatewayVars, source = 'template'): string =>
  fillTemplate(template, vars, 'GATEWAY_', source);
