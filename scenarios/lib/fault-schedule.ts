/**
 * A mode's fault schedule (the `faults` of a mode in scenarios/profiles.json), parsed and checked before any load:
 * declarative data — what, where, when, for how long — turned into the timed steps the fault runner applies.
 * Pure: no I/O, no clock.
 *
 *   "faults": [{ "at": "30%", "do": "kill", "part": "app2" }, { "at": "60%", "do": "start", "part": "app2" },
 *              { "at": "10s", "do": "freeze", "part": "redis", "for": "10s" }]
 *
 * `at` is a k6-style duration from the run's start (`30s`, `1m30s`, `500ms`) or a share of the run (`30%`); `for`
 * (freeze, stop and kill only) undoes the fault when it ends: a frozen part is thawed, a stopped or killed one
 * started. Every part is up when the run starts; an action must find its part in a state it applies to (start a
 * part that is down, thaw one that is frozen, anything else to one that is up), and no action may fall inside
 * another's window on the same part.
 *
 * The downstream service (the cascade lab) is `degrade`d instead — `{ "at": "10s", "do": "degrade", "part":
 * "downstream", "latencyMs": 500, "errorRate": 0.1 }` — step by step (each degrade changes what the last set) until
 * a `heal`, or its own `for`, puts back its start values; the first degrade opens the window a heal closes.
 */

import { FAULT_ACTIONS, FAULT_PAST, type FaultAction } from '../../scripts/stack/fault-plan';
import { MAX_WORKERS } from '../../scripts/stack/settings';

// The stack runner's own list: a schedule names exactly the actions its fault command applies.
export { FAULT_ACTIONS, type FaultAction } from '../../scripts/stack/fault-plan';

/** The parts a fault may name besides the replicas app1..appN. */
export const FAULT_PARTS = ['redis', 'postgres', 'gateway', 'pgbouncer', 'downstream'] as const;

/** What a degrade sets on the downstream service (stack fault degrade's --latency-ms, --jitter-ms, --error-rate). */
export interface Degradation {
  latencyMs?: number;
  jitterMs?: number;
  errorRate?: number;
}

const DEGRADE_KEYS = ['latencyMs', 'jitterMs', 'errorRate'] as const;

/** A degradation as the stack runner's flags: `--latency-ms 500 --error-rate 0.1`. */
export function degradeFlags(d: Degradation | undefined): string[] {
  if (d === undefined) return [];
  const flags: string[] = [];
  if (d.latencyMs !== undefined) flags.push('--latency-ms', String(d.latencyMs));
  if (d.jitterMs !== undefined) flags.push('--jitter-ms', String(d.jitterMs));
  if (d.errorRate !== undefined) flags.push('--error-rate', String(d.errorRate));
  return flags;
}

/** One entry as written in profiles.json. */
export interface FaultEntry extends Degradation {
  at: string;
  do: string;
  part: string;
  for?: string;
}

/** One entry, checked: times in seconds from the run's start. */
export interface Fault {
  /** Its position in the mode's `faults` (messages and annotation ids name it). */
  index: number;
  atS: number;
  do: FaultAction;
  part: string;
  /** How long until it is undone (freeze → thaw, stop/kill → start, degrade → heal); absent for an instant fault. */
  forS?: number;
  /** A degrade's new behaviour of the downstream service. */
  degrade?: Degradation;
}

/** A schedule that cannot run; the message names the mode and the entry. */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * A k6-style duration in seconds: `30s`, `1m30s`, `500ms`, `2h`; undefined when the text is not one.
 *
 * @example
 * durationS('1m30s'); // 90
 */
export function durationS(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  return text !== '' && end === text.length ? total : undefined;
}

/** A short human name of a fault: `app2 killed`, `redis frozen 10s`. */
export function faultLabel(f: Pick<Fault, 'do' | 'part' | 'forS' | 'degrade'>): string {
  const d = f.degrade;
  const how = d
    ? ` (${[
        d.latencyMs !== undefined && `${d.latencyMs} ms`,
        d.jitterMs !== undefined && `± ${d.jitterMs} ms`,
        d.errorRate !== undefined && `${Number((d.errorRate * 100).toFixed(2))}% errors`,
      ]
        .filter(Boolean)
        .join(', ')})`
    : '';
  return `${f.part} ${FAULT_PAST[f.do]}${how}${f.forS === undefined ? '' : ` ${Number(f.forS.toFixed(3))}s`}`;
}

function partNames(replicas: number): string {
  return `app1..app${replicas}, ${FAULT_PARTS.join(', ')}, worker1..worker${MAX_WORKERS}`;
}

/**
 * Parses and checks a mode's `faults` against a run of `runS` seconds on a stack of `replicas` replicas; throws a
 * ScheduleError naming the mode and the entry. Returns the faults in the order they happen.
 *
 * @example
 * parseSchedule('failover', [{ at: '30%', do: 'kill', part: 'app2' }], 60, 3); // [{ index: 0, atS: 18, ... }]
 */
export function parseSchedule(mode: string, entries: unknown, runS: number, replicas: number): Fault[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries))
    throw new ScheduleError(`mode "${mode}": "faults" must be a list of {at, do, part, for?}`);
  const faults = entries.map((e, i) => parseEntry(mode, e, i, runS, replicas));
  const ordered = [...faults].sort((a, b) => a.atS - b.atS || a.index - b.index);
  checkSequence(mode, ordered);
  return ordered;
}

function parseEntry(mode: string, e: unknown, index: number, runS: number, replicas: number): Fault {
  const where = `mode "${mode}", faults[${index}]`;
  const bad = (message: string): never => {
    throw new ScheduleError(`${where} (${JSON.stringify(e)}): ${message}`);
  };
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return bad('must be {at, do, part, for?}');
  const entry = e as Record<string, unknown>;
  for (const key of Object.keys(entry))
    if (!['at', 'do', 'part', 'for', ...DEGRADE_KEYS].includes(key))
      bad(`unknown key "${key}" (use at, do, part, for; a degrade also latencyMs, jitterMs, errorRate)`);
  const action = entry.do;
  if (typeof action !== 'string' || !(FAULT_ACTIONS as readonly string[]).includes(action))
    bad(`"do" must be one of ${FAULT_ACTIONS.join(', ')}`);
  const part = entry.part;
  const replica = typeof part === 'string' ? /^app([1-9]\d*)$/.exec(part) : null;
  // The ingest workers (the stack's WORKERS, which the schedule does not know: the stack refuses one it lacks).
  const worker = typeof part === 'string' ? /^worker([1-9]\d*)$/.exec(part) : null;
  const known =
    typeof part === 'string' &&
    ((FAULT_PARTS as readonly string[]).includes(part) ||
      (replica !== null && Number(replica[1]) <= replicas) ||
      (worker !== null && Number(worker[1]) <= MAX_WORKERS));
  if (!known) bad(`"part" must be one of ${partNames(replicas)}`);
  const at = entry.at;
  if (typeof at !== 'string') return bad('"at" must be a duration ("30s") or a share of the run ("30%")');
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(at);
  const atS = pct ? (runS * Number(pct[1])) / 100 : durationS(at);
  if (atS === undefined) return bad('"at" must be a duration ("30s") or a share of the run ("30%")');
  if (atS >= runS) bad(`"at" falls at ${atS}s, not within the run of ${runS}s`);
  const fault: Fault = { index, atS, do: action as FaultAction, part: part as string };
  const downstreamOnly = fault.do === 'degrade' || fault.do === 'heal';
  if (downstreamOnly !== (fault.part === 'downstream'))
    bad(
      downstreamOnly
        ? `${fault.do} applies to the downstream part only`
        : 'the downstream part is changed with degrade and heal only',
    );
  const given = DEGRADE_KEYS.filter((k) => entry[k] !== undefined);
  if (given.length > 0 && fault.do !== 'degrade') bad(`${given.join(', ')} belong to a degrade only`);
  if (fault.do === 'degrade') {
    if (given.length === 0) bad('a degrade sets at least one of latencyMs, jitterMs, errorRate');
    const d: Degradation = {};
    for (const k of given) {
      const v = entry[k];
      const max = k === 'errorRate' ? 1 : 60_000;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max)
        bad(`"${k}" must be a number from 0 to ${max}`);
      d[k] = v as number;
    }
    fault.degrade = d;
  }
  if (entry.for !== undefined) {
    if (!['freeze', 'stop', 'kill', 'degrade'].includes(fault.do))
      bad(
        `"for" applies to freeze, stop, kill and degrade only (undone by thaw, start or heal), not to ${fault.do}`,
      );
    const forS = typeof entry.for === 'string' ? durationS(entry.for) : undefined;
    if (forS === undefined || forS <= 0) bad('"for" must be a positive duration such as "10s"');
    if (atS + forS! > runS) bad(`its window ends at ${atS + forS!}s, after the run's end at ${runS}s`);
    fault.forS = forS!;
  }
  return fault;
}

type PartState = 'up' | 'down' | 'frozen' | 'degraded';
const NEEDS: Record<FaultAction, readonly PartState[]> = {
  kill: ['up'],
  stop: ['up'],
  restart: ['up'],
  freeze: ['up'],
  start: ['down'],
  thaw: ['frozen'],
  // Each degrade step of a ramp changes what the last one set.
  degrade: ['up', 'degraded'],
  heal: ['degraded'],
};
const LEAVES: Record<FaultAction, PartState> = {
  kill: 'down',
  stop: 'down',
  restart: 'up',
  freeze: 'frozen',
  start: 'up',
  thaw: 'up',
  degrade: 'degraded',
  heal: 'up',
};

/** Each part's state through the schedule (all up at the start): every action must apply when it comes. */
function checkSequence(mode: string, ordered: Fault[]): void {
  const name = (f: Fault) => `mode "${mode}", faults[${f.index}] (${f.do} ${f.part} at ${f.atS}s)`;
  for (const w of ordered) {
    if (w.forS === undefined) continue;
    const inside = ordered.find(
      (f) => f !== w && f.part === w.part && f.atS >= w.atS && f.atS < w.atS + w.forS!,
    );
    if (inside)
      throw new ScheduleError(
        `${name(inside)} overlaps faults[${w.index}] (${w.do} ${w.part} for ${w.forS}s from ${w.atS}s): one fault at a time on a part`,
      );
  }
  const state = new Map<string, PartState>();
  for (const step of planSteps(ordered)) {
    const now = state.get(step.part) ?? 'up';
    if (!NEEDS[step.do].includes(now)) {
      const f = ordered.find((x) => x.index === step.index)!;
      const needs = NEEDS[step.do].map((st) => (st === 'up' ? 'running' : st)).join(' or ');
      throw new ScheduleError(
        `${name(f)}: ${step.part} is ${now === 'up' ? 'running' : now} then; ${step.do} needs it ${needs}`,
      );
    }
    state.set(step.part, LEAVES[step.do]);
  }
}

/** One thing the runner does at one instant: a scheduled action, or the undoing of a window's fault. */
export interface FaultStep {
  /** Seconds from the run's start. */
  atS: number;
  do: FaultAction;
  part: string;
  /** The fault (index in `faults`) this step applies or undoes. */
  index: number;
  undo: boolean;
  /** A degrade's new behaviour (its flags to the stack runner). */
  degrade?: Degradation;
  /**
   * The annotation it writes: `open` starts a window (a kill, stop or freeze; ended by the step that brings the
   * part back, which `close`s the same id), `instant` is a point (a restart, or a start with no window open).
   */
  annotation: {
    id: string;
    label: string;
    edge: 'open' | 'close' | 'instant';
    recoverFrom?: 'start';
    /**
     * `note` for a degrade inside its part's open window (a step of a ramp): drawn, but not a fault of its own
     * whose recovery Swarm would measure (the window's, from the heal, is the one that counts).
     */
    kind?: 'note';
  };
}

/**
 * The runner's timing plan (pure): every step in time order, windows' undo steps included, each with the
 * annotation it writes. A start or thaw closes the window its part's kill, stop or freeze opened, so `app2 killed`
 * at 30% and `app2 started` at 60% make one band on the charts.
 *
 * @example
 * planSteps(parseSchedule('m', [{ at: '10s', do: 'freeze', part: 'redis', for: '5s' }], 60, 3));
 * // freeze redis at 10 (open f0-redis), thaw redis at 15 (close f0-redis)
 */
export function planSteps(faults: readonly Fault[]): FaultStep[] {
  const raw: Array<Omit<FaultStep, 'annotation'>> = [];
  for (const f of faults) {
    raw.push({
      atS: f.atS,
      do: f.do,
      part: f.part,
      index: f.index,
      undo: false,
      ...(f.degrade && { degrade: f.degrade }),
    });
    if (f.forS !== undefined)
      raw.push({
        atS: f.atS + f.forS,
        do: f.do === 'freeze' ? 'thaw' : f.do === 'degrade' ? 'heal' : 'start',
        part: f.part,
        index: f.index,
        undo: true,
      });
  }
  // At one instant, an undo comes before a new fault on the same part.
  raw.sort((a, b) => a.atS - b.atS || Number(b.undo) - Number(a.undo) || a.index - b.index);
  const open = new Map<string, { id: string; label: string }>();
  return raw.map((s) => {
    const fault = faults.find((f) => f.index === s.index)!;
    // A ramp of degrades is one window, from the first to the heal; the steps between are points on it.
    const opening =
      s.do === 'degrade' ? !open.has(s.part) : s.do === 'kill' || s.do === 'stop' || s.do === 'freeze';
    if (opening) {
      const a = { id: `f${s.index}-${s.do}-${s.part}`, label: faultLabel(fault) };
      open.set(s.part, a);
      // A kill is over once done: recovery is how soon the rest routes around it, whenever the part is started.
      const from = s.do === 'kill' ? { recoverFrom: 'start' as const } : {};
      return { ...s, annotation: { ...a, edge: 'open' as const, ...from } };
    }
    const window = (s.do === 'start' || s.do === 'thaw' || s.do === 'heal') && open.get(s.part);
    if (window) {
      open.delete(s.part);
      return { ...s, annotation: { ...window, edge: 'close' as const } };
    }
    return {
      ...s,
      annotation: {
        id: `f${s.index}-${s.do}-${s.part}`,
        label: faultLabel(fault.do === s.do ? fault : s),
        edge: 'instant' as const,
        ...(s.do === 'degrade' && { kind: 'note' as const }),
      },
    };
  });
}

/** The parts a schedule touches, in the order it first touches them (the ones brought back at the end). */
export function touchedParts(faults: readonly Fault[]): string[] {
  return [...new Set(faults.map((f) => f.part))];
}

/** The first action on each part: the one `fault --check` must find applicable before the run starts. */
export function firstActions(faults: readonly Fault[]): Fault[] {
  const seen = new Set<string>();
  return faults.filter((f) => !seen.has(f.part) && seen.add(f.part));
}
