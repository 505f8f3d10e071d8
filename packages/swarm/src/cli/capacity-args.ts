import { type Slo, sloFromThresholds } from '../capacity/slo';
import { parseDuration } from '../runner/duration';
import type { Stage } from '../runner/load-shape';
import { UsageError } from './usage-error';

const RATE = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/;
const PER = { s: 1, m: 60, h: 3600 } as const;

/** `200`, `200/s` or `600/m` → iterations per second; null when `text` is not a rate. */
function perSecond(text: string): number | null {
  const m = RATE.exec(text.trim());
  if (m === null) return null;
  return Number(m[1]) / PER[(m[2] ?? 's') as keyof typeof PER];
}

const RATE_HELP = 'use e.g. 200/s or 600/m, or stages RATE:DURATION,... as 50/s:0s,3000/s:60s';

/**
 * `--rate`: one rate (the constant open model) or k6 ramping-arrival-rate stages, `RATE:DURATION` separated by
 * commas: each stage moves linearly from the previous rate (the first from 0) to its own over its duration, and
 * the run ends after the last one; a first stage of `0s` sets the start rate. Throws a `UsageError` naming `--rate`.
 *
 * @example
 * parseRateFlag('200/s'); // { rate: 200 }
 * parseRateFlag('50/s:0s,3000/s:60s'); // { stages: [{ duration: 0, target: 50 }, { duration: 60, target: 3000 }] }
 */
export function parseRateFlag(text: string): { rate: number } | { stages: Stage[] } {
  if (!text.includes(':')) {
    const rate = perSecond(text);
    if (rate === null || rate <= 0) throw new UsageError(`--rate: "${text}" is not a rate; ${RATE_HELP}`);
    return { rate };
  }
  const stages = text.split(',').map((part, i) => {
    const [r = '', d = '', ...rest] = part.split(':');
    const target = perSecond(r);
    let duration: number | null = null;
    try {
      duration = parseDuration(d.trim());
    } catch {}
    if (target === null || duration === null || rest.length > 0) {
      throw new UsageError(`--rate: stage ${i + 1} "${part}" is not RATE:DURATION; ${RATE_HELP}`);
    }
    return { duration, target };
  });
  if (stages.every((s) => s.target === 0)) throw new UsageError('--rate: every stage has a rate of 0');
  return { stages };
}

/**
 * `--abort-on "p(95)<200,rate<0.01"`: the SLO a run stops on (and its knee is judged by), in threshold syntax:
 * `p(N)<ms` (required), `rate<fraction` (failures, default 0.01), `dropped_rate<fraction` (default 0).
 *
 * @example
 * parseAbortOn(['p(95)<200,rate<0.01']).latencyMs; // 200
 */
export function parseAbortOn(values: readonly string[]): Slo {
  const expressions = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  try {
    return sloFromThresholds(expressions);
  } catch (err) {
    throw new UsageError(`--abort-on: ${(err as Error).message}`);
  }
}
