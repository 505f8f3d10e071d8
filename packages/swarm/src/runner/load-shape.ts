import { parseDuration } from './duration';

/** Closed model: this many users, reached at this spawn rate (users/s). */
export interface UserTarget {
  users: number;
  spawnRate: number;
}

/** Open model: start this many iterations per second. */
export interface RateTarget {
  rate: number;
}

export type ShapeTarget = UserTarget | RateTarget;

/**
 * A load shape: a pure function of the elapsed time. `tick` is called about once a second; `null` ends the test.
 * One shape, one run, one report, whatever the curve.
 *
 * @example
 * class Spike extends LoadShape {
 *   tick(t: number) { return t < 10 ? { users: 1, spawnRate: 1 } : t < 20 ? { users: 50, spawnRate: 50 } : null; }
 * }
 */
export abstract class LoadShape {
  abstract tick(elapsedS: number): ShapeTarget | null;
}

export interface Stage {
  /** How long this stage lasts: `'30s'`, `'1m'` or seconds. */
  duration: string | number;
  /** Users (closed model) or iterations/s (open model) reached at the end of the stage. */
  target: number;
}

interface ResolvedStage {
  end: number;
  from: number;
  to: number;
  seconds: number;
}

function resolve(list: readonly Stage[], start: number): ResolvedStage[] {
  if (list.length === 0) throw new Error('stages: need at least one stage');
  let end = 0;
  let from = start;
  return list.map((s, i) => {
    const seconds = parseDuration(s.duration);
    if (!(s.target >= 0)) throw new Error(`stages[${i}].target: need a number ≥ 0, got ${s.target}`);
    end += seconds;
    const r = { end, from, to: s.target, seconds };
    from = s.target;
    return r;
  });
}

class UserStages extends LoadShape {
  constructor(private readonly list: ResolvedStage[]) {
    super();
  }

  tick(elapsedS: number): UserTarget | null {
    const s = this.list.find((x) => elapsedS < x.end);
    if (s === undefined) return null;
    // A linear ramp from the previous target over the stage; a flat stage or a zero duration jumps at once.
    const spawnRate =
      s.seconds > 0 && s.to !== s.from ? Math.abs(s.to - s.from) / s.seconds : Math.max(1, s.to);
    return { users: s.to, spawnRate };
  }
}

class RateStages extends LoadShape {
  constructor(private readonly list: ResolvedStage[]) {
    super();
  }

  tick(elapsedS: number): RateTarget | null {
    const s = this.list.find((x) => elapsedS < x.end);
    if (s === undefined) return null;
    const into = s.seconds === 0 ? 1 : 1 - (s.end - elapsedS) / s.seconds;
    return { rate: s.from + (s.to - s.from) * into };
  }
}

/**
 * A ramping shape in users (like k6's `ramping-vus`): each stage moves linearly from the previous target (first
 * 0) to its own over its duration; the test ends after the last stage.
 *
 * @example
 * export const options = { shape: stages([{ duration: '10s', target: 1 }, { duration: '5s', target: 50 },
 *   { duration: '10s', target: 50 }, { duration: '5s', target: 1 }]) };
 */
export function stages(list: readonly Stage[]): LoadShape {
  return new UserStages(resolve(list, 0));
}

/**
 * A ramping arrival rate (like k6's `ramping-arrival-rate`): iterations/s interpolated linearly from
 * `startRate` (default 0) through each stage's target.
 *
 * @example
 * shape: rateStages([{ duration: '30s', target: 200 }, { duration: '1m', target: 200 }])
 */
export function rateStages(list: readonly Stage[], startRate = 0): LoadShape {
  return new RateStages(resolve(list, startRate));
}

/** True for a target of the open model. */
export function isRateTarget(t: ShapeTarget): t is RateTarget {
  return (t as RateTarget).rate !== undefined;
}
