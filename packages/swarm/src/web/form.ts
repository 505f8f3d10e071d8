import { parseDuration } from '../runner/duration';

/**
 * Validation of the web UI's forms (pure). Bad input becomes a message per field, shown beside it; it never
 * reaches the runner.
 */

/** What the start form asks for. */
export interface StartInput {
  users: number;
  spawnRate: number;
  host: string;
  userClasses: string[];
  /** Stop after this many seconds (the form's advanced option, prefilled by `-t`); undefined runs until stopped. */
  runTimeS?: number | undefined;
}

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The most users the UI lets one process run; a typo of 100000 should not take the machine down. */
export const MAX_UI_USERS = 10_000;

function wholeNumber(text: unknown, field: string, errors: FieldErrors, max: number): number {
  const n = Number(String(text ?? '').trim());
  if (String(text ?? '').trim() === '' || !Number.isInteger(n) || n < 0) {
    errors[field] = 'a whole number ≥ 0';
  } else if (n > max) {
    errors[field] = `at most ${max}`;
  }
  return n;
}

function rate(text: unknown, errors: FieldErrors): number {
  const n = Number(String(text ?? '').trim());
  if (String(text ?? '').trim() === '' || !Number.isFinite(n) || n <= 0) errors.spawnRate = 'a number > 0';
  return n;
}

/**
 * Checks the change form (users, spawn rate) of a running test.
 *
 * @example
 * parseChangeForm({ users: '20', spawnRate: '5' }); // { ok: true, value: { users: 20, spawnRate: 5 } }
 */
export function parseChangeForm(body: Record<string, unknown>): Parsed<{ users: number; spawnRate: number }> {
  const errors: FieldErrors = {};
  const users = wholeNumber(body.users, 'users', errors, MAX_UI_USERS);
  const spawnRate = rate(body.spawnRate, errors);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { users, spawnRate } };
}

/** An optional run time: empty runs until stopped; otherwise a duration `parseDuration` reads, above 0. */
function runTime(text: unknown, errors: FieldErrors): number | undefined {
  const t = String(text ?? '').trim();
  if (t === '') return undefined;
  try {
    const s = parseDuration(t);
    if (s > 0) return s;
  } catch {
    // the message below says what is accepted
  }
  errors.runTime = 'a duration such as 30s, 5m or 1h30m (empty: until stopped)';
  return undefined;
}

/**
 * Checks the start form: users and spawn rate as in `parseChangeForm`, an http(s) URL as host, user classes
 * among `known` (none ticked means all of them) and the optional run time (Locust's advanced option).
 *
 * @example
 * parseStartForm({ users: '10', spawnRate: '2', host: 'http://127.0.0.1:8080', userClasses: [] }, ['Reader']);
 */
export function parseStartForm(body: Record<string, unknown>, known: readonly string[]): Parsed<StartInput> {
  const change = parseChangeForm(body);
  const errors: FieldErrors = change.ok ? {} : { ...change.errors };
  const host = String(body.host ?? '').trim();
  let url: URL | null = null;
  try {
    url = new URL(host);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    errors.host = 'an http:// or https:// URL, e.g. http://127.0.0.1:8080';
  }
  const asked = Array.isArray(body.userClasses) ? body.userClasses.map(String) : [];
  const unknown = asked.filter((c) => !known.includes(c));
  if (unknown.length > 0) errors.userClasses = `unknown: ${unknown.join(', ')}`;
  const runTimeS = runTime(body.runTime, errors);
  if (Object.keys(errors).length > 0 || !change.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...change.value,
      host: host.replace(/\/+$/, ''),
      userClasses: asked.length === 0 ? [...known] : asked,
      ...(runTimeS !== undefined && { runTimeS }),
    },
  };
}
