import { describe, expect, it } from 'vitest';
import { ReadTracker } from './stale-reads';

describe('ReadTracker (monotonic reads per user)', () => {
  it('passes reads at or above what the user wrote', () => {
    const t = new ReadTracker();
    t.wrote(1, 3);
    expect(t.read(1, 200, 3)).toBeNull();
    expect(t.read(1, 200, 5)).toBeNull();
    expect(t.versionOf(1)).toBe(5);
  });

  it('catches a stale read after a write', () => {
    const t = new ReadTracker();
    t.wrote(1, 3);
    expect(t.read(1, 200, 2)).toEqual({ expected: '>= v3', got: 'v2' });
  });

  it('catches a stale read after a read of a newer version', () => {
    const t = new ReadTracker();
    expect(t.read(2, 200, 4)).toBeNull(); // first sight: anything goes
    expect(t.read(2, 200, 3)).toEqual({ expected: '>= v4', got: 'v3' });
    // A stale read does not lower what the user knows.
    expect(t.read(2, 200, 3)).toEqual({ expected: '>= v4', got: 'v3' });
  });

  it('takes a 412’s current version as a read, both ways', () => {
    const t = new ReadTracker();
    t.wrote(3, 2);
    expect(t.read(3, 412, 6)).toBeNull();
    expect(t.versionOf(3)).toBe(6);
    expect(t.read(3, 412, 5)).toEqual({ expected: '>= v6', got: 'v5' });
  });

  it('catches a 200 after the user’s own delete, and passes its 404', () => {
    const t = new ReadTracker();
    t.wrote(4, 2);
    t.deleted(4);
    expect(t.read(4, 404, null)).toBeNull();
    expect(t.read(4, 200, 2)).toEqual({ expected: '404 (deleted)', got: 'v2' });
  });

  it('reads nothing into failures, 5xx or a 404 of an id it did not delete', () => {
    const t = new ReadTracker();
    t.wrote(5, 3);
    expect(t.read(5, 0, null)).toBeNull();
    expect(t.read(5, 503, null)).toBeNull();
    expect(t.read(5, 404, null)).toBeNull();
    expect(t.read(5, 200, null)).toBeNull(); // no ETag: nothing to compare
    expect(t.versionOf(5)).toBe(3);
  });

  it('keeps each id apart', () => {
    const t = new ReadTracker();
    t.wrote(6, 9);
    expect(t.read(7, 200, 1)).toBeNull();
  });
});
