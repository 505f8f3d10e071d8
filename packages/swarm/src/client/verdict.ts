/** Which statuses count as success: an explicit list, or by default anything below 400 (429 is throttled). */
export type Expect = number | readonly number[] | undefined;

/**
 * The failure reason for a status, or null for a success (pure).
 *
 * @example
 * verdict(503, undefined); // 'HTTP 503'
 * verdict(404, [200, 404]); // null
 * verdict(429, undefined); // null: throttled is counted apart from failures
 */
export function verdict(status: number, expect: Expect): string | null {
  if (status === 429) return null;
  if (expect === undefined) return status < 400 ? null : `HTTP ${status}`;
  if (typeof expect === 'number') return status === expect ? null : `HTTP ${status} (expected ${expect})`;
  return expect.includes(status) ? null : `HTTP ${status} (expected ${expect.join(' or ')})`;
}

/** The text of a transport error: its code when the message lacks it, so errors group by cause. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && !err.message.includes(code)) return `${code}: ${err.message}`;
  return err.message;
}
