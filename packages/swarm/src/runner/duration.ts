const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration like k6 and Locust write them into seconds: `'30s'`, `'1m30s'`, `'2h'`, `'250ms'`, or a bare
 * number of seconds. Throws an Error naming the accepted forms.
 *
 * @example
 * parseDuration('1m30s'); // 90
 * parseDuration(5); // 5
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`bad duration ${value}: need a number ≥ 0`);
    return value;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = text.match(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g);
  if (parts === null || parts.join('') !== text) {
    throw new Error(`bad duration "${value}": use e.g. 30s, 1m30s, 2h, 250ms or a number of seconds`);
  }
  let seconds = 0;
  for (const p of parts) {
    const [, n, unit] = p.match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/)!;
    seconds += Number(n) * UNIT_S[unit!]!;
  }
  return Math.round(seconds * 1000) / 1000;
}

/**
 * Writes seconds as `parseDuration` reads them, largest units first: the form of a duration to show a person.
 *
 * @example
 * formatDuration(90); // '1m30s'
 * formatDuration(0.25); // '250ms'
 */
export function formatDuration(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) out += `${n}${unit}`;
    ms -= n * size;
  }
  return out;
}
