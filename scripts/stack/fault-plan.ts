import { durationMs } from './settings';

/**
 * A fault as data (what, where, for how long) and the rules for when it can be applied, with no I/O: the command
 * line `fault <do> <part> [--for D] [--timeout D] [--check] [--json]` parsed into a `FaultRequest`, the check of a
 * request against the parts' states, and the docker compose commands a fault maps to.
 *
 * Actions: `kill` (SIGKILL to the part's process group), `stop` (its own stop signal, as `make down` sends),
 * `start` (as `make up` starts it, waiting until it is ready), `restart` (stop, then start), `freeze` / `thaw`
 * (SIGSTOP / SIGCONT to its process group), and for the overload lab's `downstream` only `degrade` (its
 * behaviour set through its admin endpoint: `--latency-ms`, `--jitter-ms`, `--error-rate`) / `heal` (back to the
 * behaviour it started with). `--for D` on kill, stop, freeze and degrade undoes the fault after D (start, start,
 * thaw, heal) before the command returns.
 */
export const FAULT_ACTIONS = [
  'kill',
  'stop',
  'start',
  'restart',
  'freeze',
  'thaw',
  'degrade',
  'heal',
] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

/** The actions `--for` undoes, and how. */
const UNDO: Partial<Record<FaultAction, FaultAction>> = {
  kill: 'start',
  stop: 'start',
  freeze: 'thaw',
  degrade: 'heal',
};

/** The parts whose behaviour `degrade` and `heal` set (a service with an admin endpoint for it). */
export const DEGRADABLE_PARTS = ['downstream'] as const;

/** What `degrade` sets on the downstream service (PUT /admin/behaviour); fields left out keep their value. */
export interface Degradation {
  latencyMs?: number;
  jitterMs?: number;
  errorRate?: number;
}

export interface FaultRequest {
  action: FaultAction;
  part: string;
  /** `--for`: how long the fault lasts before it is undone (kill/stop → start, freeze → thaw). */
  forMs?: number;
  /** `--timeout`: how long a start may take to become ready (default 30 s). */
  timeoutMs: number;
  /** `--check`: apply nothing, only say whether it could be applied now. */
  check: boolean;
  /** `--json`: one JSON line on stdout on success. */
  json: boolean;
  /** degrade's `--latency-ms`, `--jitter-ms`, `--error-rate`. */
  degradation?: Degradation;
}

/** A fault that cannot be applied, or a command line that names none: exit 2, before anything is touched. */
export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}

export const FAULT_USAGE =
  'usage: stack fault <kill|stop|start|restart|freeze|thaw> <part> [--for 10s] [--timeout 30s] [--check] [--json]\n' +
  '       stack fault degrade downstream [--latency-ms 2000] [--jitter-ms 100] [--error-rate 0.2] [--for 30s] | heal downstream';

export const DEFAULT_START_TIMEOUT_MS = 30_000;

/** `--for` and `--timeout` take durations like `10s`, `500ms`, `2m`. */
function durationFlag(flag: string, value: string | undefined, min: number, max: number): number {
  const ms = value === undefined ? Number.NaN : durationMs(value);
  if (!(ms >= min && ms <= max)) {
    throw new FaultError(
      `${flag}: must be a duration like 10s (a whole number and one of ms, s, m, h) from ${min} ms to ${max / 1000} s (got ${JSON.stringify(value ?? '')})`,
    );
  }
  return ms;
}

/** A degrade flag's number, within its bounds (the downstream service's own: latency up to a minute, a rate 0..1). */
function degradeFlag(flag: string, value: string | undefined, max: number, whole: boolean): number {
  const n = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  if (!(n >= 0 && n <= max) || (whole && !Number.isInteger(n))) {
    const what = whole ? `a whole number of ms from 0 to ${max}` : `a number from 0 to ${max}`;
    throw new FaultError(`${flag}: must be ${what} (got ${JSON.stringify(value ?? '')})`);
  }
  return n;
}

/**
 * Parses the words after `fault`. Throws a `FaultError` naming the bad word.
 * Example: `parseFaultArgs(['freeze', 'redis', '--for', '10s'])` → `{ action: 'freeze', part: 'redis', forMs: 10000, ... }`.
 */
export function parseFaultArgs(args: string[]): FaultRequest {
  const words: string[] = [];
  const request: Omit<FaultRequest, 'action' | 'part'> = {
    timeoutMs: DEFAULT_START_TIMEOUT_MS,
    check: false,
    json: false,
  };
  const degradation: Degradation = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') ? arg.split('=', 2) : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--check') request.check = true;
    else if (flag === '--json') request.json = true;
    else if (flag === '--for') request.forMs = durationFlag('--for', value(), 1, 3_600_000);
    else if (flag === '--timeout') request.timeoutMs = durationFlag('--timeout', value(), 1000, 3_600_000);
    else if (flag === '--latency-ms')
      degradation.latencyMs = degradeFlag('--latency-ms', value(), 60_000, true);
    else if (flag === '--jitter-ms') degradation.jitterMs = degradeFlag('--jitter-ms', value(), 60_000, true);
    else if (flag === '--error-rate') degradation.errorRate = degradeFlag('--error-rate', value(), 1, false);
    else if (arg.startsWith('-')) throw new FaultError(`unknown option ${arg}\n${FAULT_USAGE}`);
    else words.push(arg);
  }
  const [action, part, ...rest] = words;
  if (!action || !part || rest.length > 0) throw new FaultError(FAULT_USAGE);
  if (!(FAULT_ACTIONS as readonly string[]).includes(action)) {
    throw new FaultError(`unknown action ${JSON.stringify(action)}: one of ${FAULT_ACTIONS.join(', ')}`);
  }
  const typed = action as FaultAction;
  if (request.forMs !== undefined && !UNDO[typed]) {
    throw new FaultError(
      `--for applies to kill, stop, freeze and degrade (undone after it), not to ${typed}`,
    );
  }
  const degrading = Object.keys(degradation).length > 0;
  if (typed === 'degrade' && !degrading) {
    throw new FaultError('degrade needs at least one of --latency-ms, --jitter-ms, --error-rate');
  }
  if (typed !== 'degrade' && degrading) {
    throw new FaultError(`--latency-ms, --jitter-ms and --error-rate apply to degrade, not to ${typed}`);
  }
  return { action: typed, part, ...request, ...(degrading ? { degradation } : {}) };
}

/** What the stack runner knows of one part when it checks a fault. */
export interface PartState {
  name: string;
  running: boolean;
  frozen: boolean;
}

/**
 * Why `request` cannot be applied to the parts as they are now, or undefined when it can: an unknown part (the
 * message lists the parts), a part that is not running for kill, stop, restart and freeze, a part already running
 * for start. A thaw of a part that is not frozen is allowed and does nothing.
 */
export function faultProblem(
  request: Pick<FaultRequest, 'action' | 'part'>,
  parts: PartState[],
): string | undefined {
  const { action, part } = request;
  const state = parts.find((p) => p.name === part);
  if (!state)
    return `unknown part ${JSON.stringify(part)}: the parts are ${parts.map((p) => p.name).join(', ')}`;
  const degrade = degradeProblem(request);
  if (degrade) return degrade;
  switch (action) {
    case 'start':
      return state.running ? `${part} is already running; start applies to a part that is down` : undefined;
    case 'thaw':
      return undefined;
    default:
      return state.running ? undefined : `${part} is not running, so it cannot be ${FAULT_PAST[action]}`;
  }
}

/** Why degrade or heal cannot apply to the part it names (only the downstream service has a behaviour to set). */
export function degradeProblem({ action, part }: Pick<FaultRequest, 'action' | 'part'>): string | undefined {
  if (
    (action === 'degrade' || action === 'heal') &&
    !(DEGRADABLE_PARTS as readonly string[]).includes(part)
  ) {
    return `${action} applies to ${DEGRADABLE_PARTS.join(', ')} (a behaviour set at run time), not to ${part}`;
  }
  return undefined;
}

/** Each action in the past tense, for messages and labels ("app2 killed"). */
export const FAULT_PAST: Record<FaultAction, string> = {
  kill: 'killed',
  stop: 'stopped',
  start: 'started',
  restart: 'restarted',
  freeze: 'frozen',
  thaw: 'thawed',
  degrade: 'degraded',
  heal: 'healed',
};

/** The action that undoes `action` after `--for` (kill/stop → start, freeze → thaw, degrade → heal). */
export const undoOf = (action: FaultAction): FaultAction | undefined => UNDO[action];

/**
 * The line `--json` prints: what was done, to which process, when it began and when it was over (epoch ms: after
 * `--for` and its undo, after a start became ready).
 */
export interface FaultRecord {
  do: FaultAction;
  part: string;
  /** The process the fault hit (the one started, for start); null when none ran (a thaw of a stopped part). */
  pid: number | null;
  at: number;
  end: number;
  /** The process started by restart, or by the start that undoes `kill --for` and `stop --for`. */
  startedPid?: number;
  /** With `--for`: how long the fault lasted as asked. */
  forMs?: number;
  /** degrade: the behaviour asked for (the fields given). */
  degradation?: Degradation;
}

/**
 * The admin call that applies degrade or heal to the downstream service: PUT the given fields, or DELETE (back to
 * the behaviour it started with).
 */
export function degradeCall(action: 'degrade' | 'heal', degradation: Degradation = {}) {
  return action === 'degrade'
    ? { method: 'PUT', path: '/admin/behaviour', body: JSON.stringify(degradation) }
    : { method: 'DELETE', path: '/admin/behaviour', body: undefined };
}

/**
 * The `docker compose` commands (each the arguments after `docker compose -f docker-compose.yml`) that apply a
 * fault to a service: kill → `kill --signal SIGKILL`, stop → `stop`, start → `up --detach --no-deps --wait` (starts
 * the stopped container and waits for its healthcheck, as `make up` does), restart → `restart`, then the same wait,
 * freeze → `pause` (the cgroup freezer: every process of the container, as SIGSTOP to the process group is
 * natively), thaw → `unpause`. The compose file names its services as the native parts (`app1`…`app3`,
 * `postgres`, `redis`, `gateway`, `pgbouncer`, `downstream`, `prometheus` and the exporters), so a part's name is
 * its service's. degrade and heal call the downstream's admin endpoint from inside its container (`exec`, with the
 * image's node), so nothing but the service's own port is needed.
 * Example: `composeFaultCommands('freeze', 'redis', 30000)` → `[['pause', 'redis']]`.
 */
export function composeFaultCommands(
  action: FaultAction,
  service: string,
  timeoutMs: number,
  degradation?: Degradation,
): string[][] {
  const ready = [
    'up',
    '--detach',
    '--no-deps',
    '--wait',
    '--wait-timeout',
    String(Math.ceil(timeoutMs / 1000)),
    service,
  ];
  switch (action) {
    case 'kill':
      return [['kill', '--signal', 'SIGKILL', service]];
    case 'stop':
      return [['stop', service]];
    case 'start':
      return [ready];
    case 'restart':
      return [['restart', service], ready];
    case 'freeze':
      return [['pause', service]];
    case 'thaw':
      return [['unpause', service]];
    case 'degrade':
    case 'heal': {
      const call = degradeCall(action, degradation);
      const init = JSON.stringify({
        method: call.method,
        body: call.body,
        headers: { 'content-type': 'application/json' },
      });
      const script = `fetch('http://127.0.0.1:'+process.env.PORT+'${call.path}',${init}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
      return [['exec', '-T', service, 'node', '-e', script]];
    }
  }
}
