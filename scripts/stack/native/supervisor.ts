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
import { type Context, type Part, replicaPart } from './parts';
import { workerPart } from './worker';

/**
 * The native stack's supervisor (SUPERVISE=on): one small process, started by `up` after the replicas and workers
 * and stopped first by `down`, that polls each replica's and ingest worker's pid file every 200 ms and starts one
 * that died again after a back-off (supervision.ts says when), as compose's `restart: unless-stopped` does for both. It writes its state to `<STACK_DIR>/supervision.json` (read by `make
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
  const state: SupervisionState = { pid: process.pid, updatedAt: Date.now(), replicas: {}, workers: {} };
  const parts = new Map<string, { part: Part; group: Record<string, ReplicaSupervision> }>();
  const supervise = (
    name: string,
    part: Part,
    group: Record<string, ReplicaSupervision>,
    before?: number,
  ) => {
    // Restart counts survive a new supervisor (each `up` starts one); the rest is observed afresh.
    group[name] = { state: 'stopped', restarts: before ?? 0, streak: 0 };
    parts.set(name, { part, group });
  };
  for (const r of ctx.topology.replicas)
    supervise(r.name, replicaPart(ctx, r), state.replicas, previous?.replicas[r.name]?.restarts);
  for (const w of ctx.topology.workers)
    supervise(w.name, workerPart(ctx, w), state.workers!, previous?.workers?.[w.name]?.restarts);
  const deadSince = new Map<string, { pid: number; at: number }>();
  /** Processes dead since their death's annotation, which closes once they run (or are stopped). */
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
    for (const [name, { part, group }] of parts) {
      const before: ReplicaSupervision = group[name]!;
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
      group[name] = next;
      if (start && !stopping) {
        try {
          part.start();
          log(`${name} restarted (restart ${next.restarts})`);
        } catch (err) {
          log(`${name} could not be started: ${(err as Error).message}`);
        }
      }
    }
    const text = JSON.stringify([state.replicas, state.workers]);
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
