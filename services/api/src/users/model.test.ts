import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { etagOf, ifNoneMatchHits, parseIfMatch } from './model';

describe('ETags and preconditions', () => {
  it('round-trips a version through ETag and If-Match', () => {
    expect(etagOf(3)).toBe('"v3"');
    expect(parseIfMatch(etagOf(3))).toBe(3);
    expect(parseIfMatch('W/"v12"')).toBe(12);
    expect(parseIfMatch(' * ')).toBe('any');
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('rejects If-Match values this API never sent', () => {
    for (const bad of ['3', '"3"', '"v0"', '"v1", "v2"', '"vx"', ''])
      expect(parseIfMatch(bad), bad).toBeNull();
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(ifNoneMatchHits('"v1", "v2"', '"v2"')).toBe(true);
    expect(ifNoneMatchHits('W/"v2"', '"v2"')).toBe(true);
    expect(ifNoneMatchHits('*', '"v9"')).toBe(true);
    expect(ifNoneMatchHits('"v1"', '"v2"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"v2"')).toBe(false);
  });
});

describe('cursors', () => {
  it('round-trips an id and refuses anything it did not write', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor('garbage')).toBeNull();
    expect(decodeCursor(Buffer.from('id:-1').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('id:99999999999999999').toString('base64url'))).toBeNull();
  });
});
