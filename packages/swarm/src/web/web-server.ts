import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createSwarmMetrics } from '../prometheus/swarm-metrics';
import { renderCsv } from '../report/csv-report';
import { renderHtmlReport } from '../report/html-report';
import { renderJson } from '../report/json-report';
import type { Summary } from '../stats/summary-types';
import { parseChangeForm, parseStartForm } from './form';
import { HttpError } from './http-error';
import type { LiveRun } from './live-run';
import { hasBody, readJson } from './read-json';
import { acceptedHosts, allowedAuthorities, guardRequest, type MachineNames } from './request-guard';
import { type LiveFrame, liveFragment, type PageOptions, renderPage } from './web-page';

export interface WebServerOptions {
  run: LiveRun;
  /**
   * Default 127.0.0.1: binding beyond this machine must be asked for. Also decides the `Host` values obeyed
   * (see `acceptedHosts`): the loopback names, or this address.
   */
  host?: string;
  /** Default 8089; 0 picks a free port. */
  port?: number;
  /** More `Host` names to answer to (`--web-allowed-host`): a DNS name, or a proxy's (whose page may be https). */
  allowedHosts?: readonly string[];
  scenario: string;
  classes: readonly string[];
  /** What the start form shows first (the flags `-u`, `-r`, `-H`, `-t`). */
  defaults: PageOptions['defaults'];
  /** Checks the target before a start (null when reachable, else the reason shown beside the host field). */
  checkHost?: (url: string) => Promise<string | null>;
  /** How often a running test's page updates; default 1000 ms. */
  pushEveryMs?: number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** The largest request body read: the forms are a few hundred bytes. */
const MAX_BODY = 64 * 1024;

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/**
 * Answers a refused or failed request. A body still on its way is never read: the answer says
 * `Connection: close` and the request (its socket) is destroyed once the answer is flushed, so a client cannot
 * make the server read, or hold a connection open for, more than the limit.
 */
function sendError(req: IncomingMessage, res: ServerResponse, e: HttpError) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const unread = hasBody(req) && !req.complete;
  const headers = unread ? { ...e.headers, connection: 'close' } : e.headers;
  send(res, e.status, 'application/json', JSON.stringify(e), headers);
  if (unread) res.once('finish', () => req.destroy());
}

function machineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return { addresses, hostname: hostname() };
}

/** One route: what it answers, given the request, its response and the path's tail after the route's prefix. */
type Handler = (req: IncomingMessage, res: ServerResponse, tail: string) => void | Promise<void>;

/** The routes, matched on method and on the whole path (`exact`) or its prefix. */
interface Route {
  method: 'GET' | 'POST';
  path: string;
  prefix?: true;
  handle: Handler;
}

/**
 * Serves the web UI: `GET /` the page, `GET /events` server-sent events (one frame per second while running and
 * on every change), `POST /api/start|users|stop|reset` (JSON; errors as `{ error: { code, message, fields? } }`
 * with a message per bad field), `GET /download/report.json|report.html|report_stats.csv|report_stats_history.csv`,
 * `GET /metrics` the generator's own metrics in Prometheus' text format (the current or last run's).
 * Every request passes `guardRequest` first (its own `Host`, no foreign `Origin`, POSTs as `application/json`);
 * a body over 64 KiB is answered 413 and not read further.
 *
 * @example
 * const ui = await startWebServer({ run, scenario: 'load.ts', classes: ['Reader'], defaults, port: 8089 });
 * console.error(`web UI on ${ui.url}`); ...; await ui.close();
 */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const { run } = o;
  const clients = new Set<ServerResponse>();

  const frame = (): LiveFrame => ({
    state: run.state,
    userCount: run.userCount,
    error: run.error,
    html: liveFragment(run.summary(), run.busy),
  });
  const push = () => {
    if (clients.size === 0) return;
    const data = `data: ${JSON.stringify(frame())}\n\n`;
    for (const c of clients) c.write(data);
  };
  const unsubscribe = run.onChange(push);
  const metrics = createSwarmMetrics({
    summary: () => run.summary(),
    users: () => (run.busy ? run.userCount : null),
    usersByClass: () => run.usersByClass(),
  });
  const ticker = setInterval(() => {
    if (run.busy) push();
  }, o.pushEveryMs ?? 1000);

  /** The API's actions, each given the request's JSON body. */
  const actions: Record<string, (body: Record<string, unknown>) => Promise<void> | void> = {
    async start(body) {
      if (run.busy) throw new HttpError(409, 'BUSY', 'a run is already going: stop it first');
      const p = parseStartForm(body, o.classes);
      if (!p.ok) throw new HttpError(400, 'VALIDATION_FAILED', 'check the marked fields', p.errors);
      const reason = o.checkHost ? await o.checkHost(p.value.host) : null;
      if (reason !== null) {
        throw new HttpError(400, 'UNREACHABLE', 'host unreachable', { host: `cannot reach it (${reason})` });
      }
      run.start(p.value);
    },
    users(body) {
      const p = parseChangeForm(body);
      if (!p.ok) throw new HttpError(400, 'VALIDATION_FAILED', 'check the marked fields', p.errors);
      if (run.state !== 'running') throw new HttpError(409, 'NOT_RUNNING', 'no run is going');
      run.setUsers(p.value.users, p.value.spawnRate);
    },
    stop: () => run.stop(),
    reset: () => run.resetStats(),
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/',
      handle(_req, res) {
        const page = renderPage({
          frame: frame(),
          classes: o.classes,
          defaults: o.defaults,
          scenario: o.scenario,
        });
        send(res, 200, 'text/html; charset=utf-8', page);
      },
    },
    {
      method: 'GET',
      path: '/events',
      handle(req, res) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(`data: ${JSON.stringify(frame())}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
      },
    },
    {
      method: 'GET',
      path: '/download/',
      prefix: true,
      handle(_req, res, name) {
        const s = run.summary();
        if (s === null) throw new HttpError(404, 'NO_RUN', 'no statistics yet: start a run');
        const [type, body] = download(s, name);
        send(res, 200, type, body, { 'content-disposition': `attachment; filename="swarm-${name}"` });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handle(_req, res) {
        send(res, 200, metrics.contentType, await metrics.text());
      },
    },
    {
      method: 'POST',
      path: '/api/',
      prefix: true,
      async handle(req, res, action) {
        const act = Object.hasOwn(actions, action) ? actions[action] : undefined;
        if (act === undefined) throw new HttpError(404, 'ROUTE_NOT_FOUND', `no such action: ${action}`);
        await act(await readJson(req, MAX_BODY));
        send(res, 200, 'application/json', JSON.stringify({ state: run.state }));
      },
    },
  ];

  // Nothing is obeyed until the port is known (port 0 picks one).
  let accepted: ReadonlySet<string> = new Set();
  let proxied: ReadonlySet<string> = new Set();
  const server = createServer(async function handle(req, res) {
    const path = new URL(req.url ?? '/', 'http://ui').pathname;
    try {
      guardRequest(req.method, req.headers, accepted, proxied);
      const matching = routes.filter((r) => (r.prefix ? path.startsWith(r.path) : path === r.path));
      const route = matching.find((r) => r.method === req.method);
      if (route === undefined && matching.length > 0) {
        // As the service answers: the path exists, with other methods, which Allow lists.
        const allow = matching.map((r) => r.method).join(', ');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} ${path}: use ${allow}`, undefined, {
          allow,
        });
      }
      if (route === undefined) throw new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${path}`);
      await route.handle(req, res, path.slice(route.path.length));
    } catch (err) {
      sendError(
        req,
        res,
        err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', (err as Error).message),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8089, o.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const allowed = o.allowedHosts ?? [];
  accepted = acceptedHosts({ host: o.host ?? '127.0.0.1', port }, machineNames(), allowed);
  proxied = allowedAuthorities(allowed, port);
  const shown = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        unsubscribe();
        for (const c of clients) c.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A report of the run to download: its content type and text. */
function download(s: Summary, name: string): [string, string] {
  if (name === 'report.json') return ['application/json', renderJson(s)];
  if (name === 'report.html') return ['text/html; charset=utf-8', renderHtmlReport(s)];
  const csv = renderCsv(s, 'report')[name];
  if (csv === undefined) throw new HttpError(404, 'NOT_FOUND', `no such report: ${name}`);
  return ['text/csv; charset=utf-8', csv];
}
