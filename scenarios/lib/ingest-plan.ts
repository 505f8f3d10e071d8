import { parseDuration, type Stage } from 'swarmgate-swarm';

/**
 * The ingest mode's load shape, the reference's (k6: a ramp to TARGET_VUS over 1 minute, a hold of 3, a ramp down
 * over 1): the first fifth of the run ramps to `targetVus`, three fifths hold, the last fifth ramps down to 0.
 * Pure. `runTime` as Swarm takes durations (`'5m'`, `'60s'`, `'1m30s'`); whole seconds, each stage at least 1 s.
 *
 * @example
 * rampHoldStages(50, '5m'); // [{ duration: '60s', target: 50 }, { duration: '180s', target: 50 }, { duration: '60s', target: 0 }]
 */
export function rampHoldStages(targetVus: number, runTime: string): Stage[] {
  if (!Number.isInteger(targetVus) || targetVus < 1) {
    throw new Error(`TARGET_VUS: must be a whole number of users from 1 (got ${JSON.stringify(targetVus)})`);
  }
  const total = Math.round(parseDuration(runTime));
  if (!(total >= 5))
    throw new Error(`RUN_TIME: the ingest mode needs at least 5s (got ${JSON.stringify(runTime)})`);
  const fifth = Math.max(1, Math.round(total / 5));
  const hold = Math.max(1, total - 2 * fifth);
  return [
    { duration: `${fifth}s`, target: targetVus },
    { duration: `${hold}s`, target: targetVus },
    { duration: `${fifth}s`, target: 0 },
  ];
}

/**
 * TARGET_VUS from the environment (as the reference's k6 script reads it), else the profile's default; a bad value
 * is an `Error` naming the setting.
 */
export function targetVusFrom(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.TARGET_VUS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new Error(
      `TARGET_VUS: must be a whole number of users from 1 to 10000 (got ${JSON.stringify(raw)})`,
    );
  }
  return n;
}
