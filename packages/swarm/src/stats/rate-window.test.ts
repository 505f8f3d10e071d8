import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window';

describe('RateWindow', () => {
  it('averages over the completed seconds since the start', () => {
    const w = new RateWindow(10);
    w.add(100, 4);
    w.add(101, 2);
    w.add(102, 9); // the current second is not counted
    expect(w.rate(102, 100)).toBe(3);
  });

  it('forgets seconds older than the window', () => {
    const w = new RateWindow(10);
    w.add(100, 50);
    w.add(115, 10);
    expect(w.rate(116, 90)).toBe(1);
  });

  it('is 0 before a second has completed', () => {
    const w = new RateWindow();
    w.add(5);
    expect(w.rate(5, 5)).toBe(0);
  });
});
