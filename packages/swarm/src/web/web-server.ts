import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderCsv } from '../report/csv-report';
import { renderHtmlReport } from '../report/html-report';
import { renderJson } from '../report/json-report';
import { parseChangeForm, parseStartForm } from './form';
import type { LiveRun } from './live-run';
import { type LiveFrame, liveFragment, renderPage } from './web-page';

export interface WebServerOptions {
  run: LiveRun;
  /** Default 127.0.0.1: binding beyond this machine must be asked for. */
  host?: string;
  /** Default 8089; 0 picks a free port. */
  port?: number;
  scenario: string;
  classes: readonly string[];
  defaults: { users: number; spawnRate: number; host: string };
  /** Checks the target before a start (null when reachable, else the reason shown beside the host field). */
  checkHost?: (url: string) => Promise<string | null>;
  /** How often a running test's page updates; default 1000 ms. */
  pushEveryMs?: number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_BODY) reject(new HttpError(413, 'too_large', 'request body too large'));
    });
    req.on('end', () => {
      try {
        const v = text === '' ? {} : JSON.parse(text);
        resolve(v !== null && typeof v === 'object' ? v : {});
      } catch {
        reject(new HttpError(400, 'bad_json', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/**
 * Serves the web UI: `GET /` the page, `GET /events` server-sent events (one frame per second while running and
 * on every change), `POST /api/start|users|stop|reset` (JSON; errors as `{ error: { code, message, fields? } }`
 * with a message per bad field), `GET /download/report.json|report.html|report_stats.csv|report_stats_history.csv`.
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
  const ticker = setInterval(() => {
    if (run.busy) push();
  }, o.pushEveryMs ?? 1000);

  const download = (name: string): [string, string] => {
    const s = run.summary();
    if (s === null) throw new HttpError(404, 'no_run', 'no statistics yet: start a run');
    if (name === 'report.json') return ['application/json', renderJson(s)];
    if (name === 'report.html') return ['text/html; charset=utf-8', renderHtmlReport(s)];
    const csv = renderCsv(s, 'report')[name];
    if (csv === undefined) throw new HttpError(404, 'not_found', `no such report: ${name}`);
    return ['text/csv; charset=utf-8', csv];
  };

  const api = async (action: string, body: Record<string, unknown>) => {
    if (action === 'start') {
      if (run.busy) throw new HttpError(409, 'busy', 'a run is already going: stop it first');
      const p = parseStartForm(body, o.classes);
      if (!p.ok) throw new HttpError(400, 'invalid', 'check the marked fields', p.errors);
      const reason = o.checkHost ? await o.checkHost(p.value.host) : null;
      if (reason !== null) {
        throw new HttpError(400, 'unreachable', 'host unreachable', { host: `cannot reach it (${reason})` });
      }
      run.start(p.value);
    } else if (action === 'users') {
      const p = parseChangeForm(body);
      if (!p.ok) throw new HttpError(400, 'invalid', 'check the marked fields', p.errors);
      if (run.state !== 'running') throw new HttpError(409, 'not_running', 'no run is going');
      run.setUsers(p.value.users, p.value.spawnRate);
    } else if (action === 'stop') {
      await run.stop();
    } else if (action === 'reset') {
      run.resetStats();
    } else {
      throw new HttpError(404, 'not_found', `no such action: ${action}`);
    }
  };

  const server = createServer(async function handle(req, res) {
    const path = new URL(req.url ?? '/', 'http://ui').pathname;
    try {
      if (req.method === 'GET' && path === '/') {
        const page = renderPage({
          frame: frame(),
          classes: o.classes,
          defaults: o.defaults,
          scenario: o.scenario,
        });
        send(res, 200, 'text/html; charset=utf-8', page);
      } else if (req.method === 'GET' && path === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(`data: ${JSON.stringify(frame())}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
      } else if (req.method === 'GET' && path.startsWith('/download/')) {
        const name = path.slice('/download/'.length);
        const [type, body] = download(name);
        send(res, 200, type, body, { 'content-disposition': `attachment; filename="swarm-${name}"` });
      } else if (req.method === 'POST' && path.startsWith('/api/')) {
        await api(path.slice('/api/'.length), await readJson(req));
        send(res, 200, 'application/json', JSON.stringify({ state: run.state }));
      } else {
        throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
      }
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', (err as Error).message);
      const body = { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
      if (!res.headersSent) send(res, e.status, 'application/json', JSON.stringify(body));
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8089, o.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
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
