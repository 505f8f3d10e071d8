import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Supervision of the native stack's replicas and ingest workers (SUPERVISE=on), the pure part: the back-off between
 * restarts, each process's state as the supervisor keeps it, the state file `make status` and `make health` read, and the
 * metrics it serves. The process itself is native/supervisor.ts.
 *
 * A replica whose pid file names a process that has exited (SIGKILL, a crash, past --max-old-space-size, `make
 * fault DO=kill`) is started again after a back-off, as docker-compose's `restart: unless-stopped` and Kubernetes
 * do. One without a pid file was stopped on purpose (`make down`, `make fault DO=stop`, `make restart`'s stop:
 * they remove it) and stays down until something starts it.
 */

/** The wait before the first restart of a replica that died. */
export const BACKOFF_FIRST_MS = 500;
/** The longest wait between restarts of a replica that keeps dying. */
export const BACKOFF_MAX_MS = 10_000;
/** Up this long, a replica's next death starts the back-off afresh. */
export const BACKOFF_RESET_MS = 30_000;
/**
 * How long a dead process's pid file must stay before the supervisor calls it a death: `stopDaemon` removes the
 * pid file right after the process exits (within a poll of 25 ms), so a stop on purpose never looks like a crash.
 */
export const CONFIRM_DEAD_MS = 1000;

export interface ReplicaSupervision {
  /** up: running; backoff: dead, restart due at `nextStartAt`; stopped: no pid file (down on purpose). */
  state: 'up' | 'backoff' | 'stopped';
  /** Restarts the supervisor made (kept across supervisor restarts through the state file). */
  restarts: number;
  /** Deaths seen in a row without BACKOFF_RESET_MS up in between; sets the next back-off. */
  streak: number;
  pid?: number;
  /** When the current process was started (by anyone), epoch ms. */
  upSince?: number;
  lastExitAt?: number;
  lastRestartAt?: number;
  nextStartAt?: number;
}

export interface SupervisionState {
  /** The supervisor's own pid and when it last wrote this file (epoch ms). */
  pid: number;
  updatedAt: number;
  replicas: Record<string, ReplicaSupervision>;
  /** The ingest workers, supervised the same way (absent in a file an older supervisor wrote). */
  workers?: Record<string, ReplicaSupervision>;
}

/** Every supervised process, replicas first then workers, each group in natural order (app2 before app10). */
export function supervised(s: SupervisionState): [string, ReplicaSupervision][] {
  const sorted = (group: Record<string, ReplicaSupervision>) =>
    Object.entries(group).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  return [...sorted(s.replicas), ...sorted(s.workers ?? {})];
}

/**
 * The wait before restart number `streak` (1 for the first death in a row): 0.5 s doubling to at most 10 s.
 * Example: `backoffMs(1)` → 500, `backoffMs(3)` → 2000, `backoffMs(9)` → 10000.
 */
export function backoffMs(streak: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, streak - 1));
}

/** What the supervisor saw of a replica's pid file at one poll. */
export type Observation =
  | { kind: 'running'; pid: number }
  | { kind: 'no-pid-file' }
  /** The pid file names a process that is gone; `sinceMs`: how long this same record has been seen dead. */
  | { kind: 'dead'; pid: number; sinceMs: number };

/**
 * One replica's next state and whether to start it now (pure). `now` is epoch ms.
 *
 * @example
 * step({ state: 'up', restarts: 0, streak: 0, upSince: 0 }, { kind: 'dead', pid: 7, sinceMs: 1200 }, 60_000)
 * // → { next: { state: 'backoff', streak: 1, nextStartAt: 60_500, ... }, start: false }
 */
export function step(
  r: ReplicaSupervision,
  seen: Observation,
  now: number,
): { next: ReplicaSupervision; start: boolean } {
  switch (seen.kind) {
    case 'no-pid-file':
      return { next: { restarts: r.restarts, streak: 0, state: 'stopped' }, start: false };
    case 'running': {
      const fresh = r.pid !== seen.pid || r.state !== 'up';
      const upSince = fresh ? now : (r.upSince ?? now);
      // Up long enough: the next death is a first one again.
      const streak = now - upSince >= BACKOFF_RESET_MS ? 0 : r.streak;
      return {
        next: { ...r, state: 'up', pid: seen.pid, upSince, streak, nextStartAt: undefined },
        start: false,
      };
    }
    case 'dead': {
      if (seen.sinceMs < CONFIRM_DEAD_MS) return { next: r, start: false };
      if (r.state !== 'backoff' || r.pid !== seen.pid) {
        // A new death: count it, and wait the back-off from now.
        const streak = r.upSince !== undefined && now - r.upSince >= BACKOFF_RESET_MS ? 1 : r.streak + 1;
        const next: ReplicaSupervision = {
          ...r,
          state: 'backoff',
          pid: seen.pid,
          streak,
          lastExitAt: now,
          nextStartAt: now + backoffMs(streak),
        };
        return { next, start: false };
      }
      if (now < (r.nextStartAt ?? 0)) return { next: r, start: false };
      return { next: { ...r, restarts: r.restarts + 1, lastRestartAt: now }, start: true };
    }
  }
}

export const supervisionFile = (stackDir: string) => join(stackDir, 'supervision.json');

/**
 * Each death and restart as a timeline mark in Swarm's annotation format (JSON lines; `swarm run --annotations
 * FILE` draws them on every chart): a window from the death to the moment the restarted process was seen running.
 * Appended by the supervisor; `down` removes the file, so it holds this stack's life only.
 */
export const supervisionEventsFile = (stackDir: string) => join(stackDir, 'supervision-events.jsonl');

/**
 * The annotation line of replica `name`'s death (`end` undefined while it is dead) or of its restart (`end` set):
 * the same id, so the second line closes the window the first opened (pure).
 * Example: `restartEvent('app2', { ...r, pid: 7, lastExitAt: 1000 }, 1800)` →
 * `{ id: 'restart-app2-1000', at: 1000, end: 1800, label: 'app2 died (pid 7), restarted by the supervisor', kind: 'restart' }`.
 */
export function restartEvent(name: string, r: ReplicaSupervision, end?: number) {
  const at = r.lastExitAt ?? 0;
  return {
    id: `restart-${name}-${at}`,
    at,
    ...(end !== undefined && { end }),
    label: `${name} died (pid ${r.pid}), ${end === undefined ? 'restarting' : 'restarted by the supervisor'}`,
    kind: 'restart',
  };
}

/** The supervisor's state file, or undefined when there is none (SUPERVISE=off, or never started). */
export function readSupervision(stackDir: string): SupervisionState | undefined {
  try {
    return JSON.parse(readFileSync(supervisionFile(stackDir), 'utf8')) as SupervisionState;
  } catch {
    return undefined;
  }
}

/**
 * The supervisor's /metrics, Prometheus text format: restarts per replica and per worker (counters), whether each
 * runs, and the back-off it is waiting out. Replicas are `swarmgate_replica_*{replica}`, workers
 * `swarmgate_worker_*{worker}`.
 */
export function renderMetrics(s: SupervisionState): string {
  const family = (kind: 'replica' | 'worker', group: Record<string, ReplicaSupervision>) => {
    const names = Object.keys(group).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const series = (metric: string, value: (r: ReplicaSupervision) => number) =>
      names.map((n) => `swarmgate_${kind}_${metric}{${kind}="${n}"} ${value(group[n]!)}`);
    return [
      `# HELP swarmgate_${kind}_restarts_total Restarts of a ${kind} by the stack supervisor after it died.`,
      `# TYPE swarmgate_${kind}_restarts_total counter`,
      ...series('restarts_total', (r) => r.restarts),
      `# HELP swarmgate_${kind}_supervised_up Whether the ${kind} process runs (1), or is dead or stopped (0).`,
      `# TYPE swarmgate_${kind}_supervised_up gauge`,
      ...series('supervised_up', (r) => (r.state === 'up' ? 1 : 0)),
      `# HELP swarmgate_${kind}_backoff_seconds The back-off before the next restart of a dead ${kind}; 0 otherwise.`,
      `# TYPE swarmgate_${kind}_backoff_seconds gauge`,
      ...series('backoff_seconds', (r) =>
        r.state === 'backoff' && r.streak > 0 ? backoffMs(r.streak) / 1000 : 0,
      ),
    ];
  };
  const workers = s.workers ?? {};
  const lines = [
    ...family('replica', s.replicas),
    ...(Object.keys(workers).length > 0 ? family('worker', workers) : []),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * One line for `make status` and `make health`: `supervision: on (pid 123), restarts app1 0, app2 2 (back-off)`;
 * says off when no supervisor runs, and that it is missing when the stack was brought up with SUPERVISE=on
 * (`expected`).
 */
export function describeSupervision(
  s: SupervisionState | undefined,
  running: boolean,
  expected = false,
): string {
  if (!running && expected) {
    return 'supervision: DOWN: SUPERVISE=on but the supervisor is not running (`make up` starts it; `make logs supervisor`)';
  }
  if (!running || s === undefined)
    return 'supervision: off (SUPERVISE=on restarts replicas and workers that die)';
  const each = supervised(s).map(([n, r]) => {
    const note = r.state === 'backoff' ? ' (dead, restarting)' : r.state === 'stopped' ? ' (stopped)' : '';
    return `${n} ${r.restarts}${note}`;
  });
  return `supervision: on (pid ${s.pid}), restarts: ${each.join(', ')}`;
}
