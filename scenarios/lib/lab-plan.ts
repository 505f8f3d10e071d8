/**
 * What the failure lab needs from a mode's profile before any load (pure): how long the run lasts (a fault's `at`
 * may be a share of it) and its checked fault schedule.
 */
import { durationS, type Fault, parseSchedule, ScheduleError } from './fault-schedule';
import type { ModeProfile, Overrides, Profiles } from './mode-plan';

/**
 * A mode's run time in seconds: RUN_TIME, else its `runTime`, else the sum of its stages, else 60 (Swarm's
 * default in load_test.sh). Throws a ScheduleError for a duration that is not one.
 */
export function runSecondsOf(mode: string, p: ModeProfile, env: Overrides): number {
  const text = env.RUN_TIME || p.runTime;
  if (text !== undefined) {
    const s = durationS(text);
    if (s === undefined || s <= 0)
      throw new ScheduleError(`mode "${mode}": run time "${text}" is not a duration such as 60s or 2m`);
    return s;
  }
  if (p.stages) return p.stages.reduce((sum, st) => sum + (durationS(st.duration) ?? 0), 0);
  return 60;
}

/**
 * The mode's fault schedule, checked against its run time (RUN_TIME included) and the stack's replicas; an empty
 * list for a mode without faults. Throws a ScheduleError naming the mode and the entry.
 *
 * @example
 * scheduleOf(profiles, 'failover', {}, 3); // [{ atS: 15, do: 'kill', part: 'app2', ... }, ...]
 */
export function scheduleOf(profiles: Profiles, mode: string, env: Overrides, replicas: number): Fault[] {
  const p = profiles.modes[mode];
  if (!p?.faults) return [];
  return parseSchedule(mode, p.faults, runSecondsOf(mode, p, env), replicas);
}

/** Whether a mode breaks the stack on purpose (k6 cannot: it has no way to apply a fault). */
export function isLabMode(p: ModeProfile | undefined): boolean {
  return p?.faults !== undefined || p?.runs !== undefined;
}
