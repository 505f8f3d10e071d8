import { describe, expect, it } from 'vitest';
import { honoursStatus, retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  it('reads delta-seconds, bounded by the maximum', () => {
    expect(retryAfterMs('2', 30_000)).toBe(2000);
    expect(retryAfterMs(' 0 ', 30_000)).toBe(0);
    expect(retryAfterMs('120', 30_000)).toBe(30_000);
  });

  it('reads an HTTP date relative to now; one in the past is no wait', () => {
    const now = Date.parse('Wed, 02 Dec 2026 01:00:00 GMT');
    expect(retryAfterMs('Wed, 02 Dec 2026 01:00:05 GMT', 30_000, now)).toBe(5000);
    expect(retryAfterMs('Wed, 02 Dec 2026 00:59:00 GMT', 30_000, now)).toBe(0);
    expect(retryAfterMs('Wed, 02 Dec 2026 02:00:00 GMT', 30_000, now)).toBe(30_000);
  });

  it('ignores what is neither', () => {
    for (const bad of [undefined, '', 'soon', '-1', '1.5', '2026-12-02T01:00:05Z']) {
      expect(retryAfterMs(bad, 30_000), String(bad)).toBeNull();
    }
  });

  it('honours 429 and 503 only', () => {
    expect([429, 503, 200, 500, 502, 0].map(honoursStatus)).toEqual([true, true, false, false, false, false]);
  });
});
