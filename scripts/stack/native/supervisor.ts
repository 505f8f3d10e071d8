import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isRunning, readPidFile } from '../../lib/daemon';
import { stackPaths } from '../paths';
import { loadSettings, SettingsError } from '../settings';
import {
  type Observation,
  type ReplicaSupervision,
  readSupervision,
  renderMetrics,
  restartEvent,
  type SupervisionState,
  step,
  supervisionEventsFile,
  supervisionFile,
} from '../supervision';
import { nativeTopology } from '../topology';
import { type Context, replicaPart } from './parts';

/**
 * The native stack's supervisor (SUPERVISE=on): one small process, started by `up` after the replicas and stopped
 * first by `down`, that polls each replica's pid file every 200 ms and starts a replica that died again after a
 * back-off (supervision.ts says when). It writes its state to `<STACK_DIR>/supervision.json` (read by `make
 * status` and `make health`) and serves it as Prometheus metrics on 127.0.0.1:SUPERVISOR_PORT/metrics.
 * It only starts a replica: readiness is the gateway's business (its passive health check routes around a replica
 * until it answers), and `up` is what waits for one.
 */
const POLL_MS = 200;

function log(line: string) {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function observe(
  ctx: Context,
  name: string,
  deadSince: Map<string, { pid: number; at: number }>,
  now: number,
) {
  const record = readPidFile(ctx.paths.pidFile(name));
  let seen: Observation;
  if (record === undefined) seen = { kind: 'no-pid-file' };
  else if (isRunning(record)) seen = { kind: 'running', pid: record.pid };
  else {
    const first = deadSince.get(name);
    const at = first?.pid === record.pid ? first.at : now;
    deadSince.set(name, { pid: record.pid, at });
    seen = { kind: 'dead', pid: record.pid, sinceMs: now - at };
  }
  if (seen.kind !== 'dead') deadSince.delete(name);
  return seen;
}

function writeState(ctx: Context, state: SupervisionState) {
  const file = supervisionFile(ctx.paths.root);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

async function main() {
  let ctx: Context;
  try {
    const settings = loadSettings();
    ctx = { settings, topology: nativeTopology(settings), paths: stackPaths(settings.dir) };
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const previous = readSupervision(ctx.paths.root);
  const state: SupervisionState = { pid: process.pid, updatedAt: Date.now(), replicas: {} };
  for (const r of ctx.topology.replicas) {
    // Restart counts survive a new supervisor (each `up` starts one); the rest is observed afresh.
    const restarts = previous?.replicas[r.name]?.restarts ?? 0;
    state.replicas[r.name] = { state: 'stopped', restarts, streak: 0 };
  }
  const parts = new Map(ctx.topology.replicas.map((r) => [r.name, replicaPart(ctx, r)]));
  const deadSince = new Map<string, { pid: number; at: number }>();
  /** Replicas dead since their death's annotation, which closes once they run (or are stopped). */
  const dying = new Map<string, ReplicaSupervision>();
  const events = supervisionEventsFile(ctx.paths.root);
  const annotate = (event: object) => appendFileSync(events, `${JSON.stringify(event)}\n`);

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(renderMetrics(state));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"ROUTE_NOT_FOUND","message":"the supervisor serves /metrics"}}');
    }
  });
  server.listen(ctx.settings.supervisorPort, '127.0.0.1');
  server.on('error', (err) => {
    log(`metrics server on 127.0.0.1:${ctx.settings.supervisorPort} failed: ${err.message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = () => {
    stopping = true;
    // Prometheus keeps its scrape connection alive: without closing it, the process would outlive the loop.
    server.close();
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log(`supervising ${[...parts.keys()].join(', ')}`);

  let written = '';
  while (!stopping) {
    const now = Date.now();
    for (const [name, part] of parts) {
      const before: ReplicaSupervision = state.replicas[name]!;
      const { next, start } = step(before, observe(ctx, name, deadSince, now), now);
      if (next.state === 'backoff' && next.lastExitAt !== before.lastExitAt) {
        log(`${name} (pid ${next.pid}) died; restart in ${((next.nextStartAt! - now) / 1000).toFixed(1)} s`);
        annotate(restartEvent(name, next));
        dying.set(name, next);
      }
      const died = dying.get(name);
      if (died !== undefined && next.state !== 'backoff') {
        // Running again (the supervisor's start, or anyone's), or stopped on purpose: the window closes.
        annotate(restartEvent(name, died, now));
        dying.delete(name);
      }
      state.replicas[name] = next;
      if (start && !stopping) {
        try {
          part.start();
          log(`${name} restarted (restart ${next.restarts})`);
        } catch (err) {
          log(`${name} could not be started: ${(err as Error).message}`);
        }
      }
    }
    const text = JSON.stringify(state.replicas);
    if (text !== written) {
      state.updatedAt = now;
      writeState(ctx, state);
      written = text;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  log('stopped');
  process.exit(0);
}

await main();
