import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['1m30s', 90],
    ['2h', 7200],
    ['250ms', 0.25],
    ['1h2m3s', 3723],
    ['1.5s', 1.5],
    ['45', 45],
    [12, 12],
  ])('%s → %s s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'abc', '10x', '5 s', '-3s', 's'])('rejects %j with the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(/use e\.g\. 30s/);
  });

  it('rejects negative numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/≥ 0/);
  });
});

describe('formatDuration', () => {
  it.each([
    [90, '1m30s'],
    [3723, '1h2m3s'],
    [0.25, '250ms'],
    [1.5, '1s500ms'],
    [0, '0s'],
  ])('%s s → %s, which parseDuration reads back', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });
});
