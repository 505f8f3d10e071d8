import { setTimeout as delay } from 'node:timers/promises';
import { isFrozen, isRunning, type PidRecord, runningFrom, signalGroup, stopDaemon } from '../../lib/daemon';
import { waitFor } from '../../lib/ports';
import {
  type Degradation,
  degradeCall,
  type FaultAction,
  FaultError,
  type FaultRecord,
  type FaultRequest,
  faultProblem,
  type PartState,
  undoOf,
} from '../fault-plan';
import { probe } from '../http-probe';
import { StackError } from '../preflight';
import { downstreamUrl, gatewayUrl } from '../topology';
import { downstreamPart } from './downstream';
import { ensureStarted, waitReady } from './lifecycle';
import { monitoringParts } from './monitoring';
import { type Context, gatewayPart, type Part, postgresPart, redisPart, replicaPart } from './parts';
import { pgbouncerPart } from './pgbouncer';
import { workerParts } from './worker';

/**
 * Faults on the native stack: each action reaches a part through its pid file (never by name), as `up` and `down`
 * do. kill and freeze/thaw signal the part's whole process group (postgres's backends, nginx's workers: a master
 * killed alone would leave its workers serving); stop is `down`'s stop for that part, start is `up`'s start and
 * readiness check for it.
 */

/**
 * Every part a fault may name, in start order: Postgres, Redis, PgBouncer (when on), the downstream service, the
 * replicas, the ingest workers, the gateway, monitoring (when on).
 */
export function faultParts(ctx: Context): Part[] {
  const gateway = gatewayPart(ctx);
  return [
    postgresPart(ctx),
    redisPart(ctx),
    ...(ctx.topology.pgbouncer ? [pgbouncerPart(ctx)] : []),
    downstreamPart(ctx),
    ...ctx.topology.replicas.map((r) => replicaPart(ctx, r)),
    ...workerParts(ctx),
    // Started alone, the gateway is ready once nginx answers: `up`'s check (every replica through it) would make
    // `start gateway` wait for a replica that the same fault schedule has killed.
    {
      ...gateway,
      ready: async () => (await probe(`${gatewayUrl(ctx.topology)}/gateway-health`)).status === 200,
    },
    ...(ctx.settings.monitor === 'on' ? monitoringParts(ctx) : []),
  ];
}

export function partStates(ctx: Context, parts: Part[]): PartState[] {
  return parts.map((part) => {
    const record = runningFrom(ctx.paths.pidFile(part.name));
    return {
      name: part.name,
      running: record !== undefined,
      frozen: record !== undefined && isFrozen(record),
    };
  });
}

const GONE_WITHIN_MS = 10_000;

/** degrade / heal: the downstream service's admin endpoint, within 5 s; its refusal is the fault's failure. */
async function setBehaviour(ctx: Context, action: 'degrade' | 'heal', degradation?: Degradation) {
  const call = degradeCall(action, degradation);
  const url = `${downstreamUrl(ctx.topology)}${call.path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: call.method,
      headers: { 'content-type': 'application/json' },
      body: call.body,
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    throw new StackError('downstream', `${action}: ${call.method} ${url} failed: ${(err as Error).message}`);
  }
  if (!res.ok) {
    throw new StackError(
      'downstream',
      `${action}: ${call.method} ${url} answered ${res.status}: ${await res.text()}`,
    );
  }
}

/** Applies one action; returns the pid it acted on (the new one after start and restart; null when none ran). */
async function act(
  ctx: Context,
  part: Part,
  action: FaultAction,
  timeoutMs: number,
  degradation?: Degradation,
): Promise<number | null> {
  const pidFile = ctx.paths.pidFile(part.name);
  const record = runningFrom(pidFile);
  const gone = (r: PidRecord) =>
    waitFor(`${part.name} (pid ${r.pid}) to exit`, () => !isRunning(r), GONE_WITHIN_MS, 25);
  switch (action) {
    case 'kill':
      if (!record) return null;
      // The pid file stays: like a crash, and `up` (or `start`) sees a dead pid and starts the part again.
      if (!signalGroup(record.pid, 'SIGKILL')) process.kill(record.pid, 'SIGKILL');
      await gone(record);
      return record.pid;
    case 'stop':
      await stopDaemon(pidFile, part.stopSignal);
      return record?.pid ?? null;
    case 'start': {
      await ensureStarted(ctx, part);
      await waitReady(ctx, part, Date.now() + timeoutMs, 'fault --timeout');
      return runningFrom(pidFile)?.pid ?? null;
    }
    case 'restart':
      await act(ctx, part, 'stop', timeoutMs);
      return act(ctx, part, 'start', timeoutMs);
    case 'freeze':
      if (!record) return null;
      if (!signalGroup(record.pid, 'SIGSTOP')) process.kill(record.pid, 'SIGSTOP');
      await waitFor(`${part.name} (pid ${record.pid}) to stop`, () => isFrozen(record), GONE_WITHIN_MS, 10);
      return record.pid;
    case 'thaw':
      if (!record) return null;
      if (!signalGroup(record.pid, 'SIGCONT')) process.kill(record.pid, 'SIGCONT');
      return record.pid;
    case 'degrade':
    case 'heal':
      await setBehaviour(ctx, action, degradation);
      return record?.pid ?? null;
  }
}

/** Resolves after `ms`, or at once on SIGINT/SIGTERM (resolving true), so a fault is undone before we exit. */
async function waitOrInterrupted(ms: number): Promise<boolean> {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await delay(ms, undefined, { signal: controller.signal });
  } catch {
    // Aborted by a signal.
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return interrupted;
}

export interface FaultOutcome {
  record: FaultRecord;
  /** True when SIGINT/SIGTERM cut `--for` short (the fault was undone early). */
  interrupted: boolean;
}

/**
 * Checks `request` against the parts as they are now and, unless `request.check`, applies it (with `--for`: waits,
 * then undoes it). Throws a FaultError (exit 2) before touching anything when it cannot be applied, a StackError
 * (exit 1, with the part's log) when a start does not become ready within `request.timeoutMs`. Returns undefined
 * for `--check`.
 */
export async function applyNativeFault(
  ctx: Context,
  request: FaultRequest,
): Promise<FaultOutcome | undefined> {
  const parts = faultParts(ctx);
  const problem = faultProblem(request, partStates(ctx, parts));
  if (problem) throw new FaultError(problem);
  if (request.check) return undefined;
  const part = parts.find((p) => p.name === request.part)!;
  const before = runningFrom(ctx.paths.pidFile(part.name))?.pid ?? null;
  const at = Date.now();
  const result = await act(ctx, part, request.action, request.timeoutMs, request.degradation);
  const record: FaultRecord = {
    do: request.action,
    part: part.name,
    pid: request.action === 'start' ? result : before,
    at,
    end: at,
  };
  if (request.action === 'restart' && result !== null) record.startedPid = result;
  if (request.degradation) record.degradation = request.degradation;
  let interrupted = false;
  const undo = undoOf(request.action);
  if (request.forMs !== undefined && undo) {
    record.forMs = request.forMs;
    interrupted = await waitOrInterrupted(request.forMs);
    const after = await act(ctx, part, undo, request.timeoutMs);
    if (undo === 'start' && after !== null) record.startedPid = after;
  }
  record.end = Date.now();
  return { record, interrupted };
}
