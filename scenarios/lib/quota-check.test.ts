import { describe, expect, it } from 'vitest';
import { quotaHeld, quotaPerSecond } from './quota-check';

const second = (row: string, statuses: Record<string, number>) => ({ endpoints: { [row]: { statuses } } });
const ROW = 'GET /api/users/:id [eager]';

describe('quotaPerSecond', () => {
  it('reads nginx rates per second and per minute, and off', () => {
    expect(quotaPerSecond('10r/s')).toBe(10);
    expect(quotaPerSecond('600r/m')).toBe(10);
    expect(quotaPerSecond('0')).toBeNull();
    expect(quotaPerSecond(undefined)).toBeNull();
    expect(quotaPerSecond('fast')).toBeNull();
  });
});

describe('quotaHeld', () => {
  it('holds when the first second spends the burst and the rest pass at the rate', () => {
    const series = [
      second(ROW, { '200': 31, '429': 50 }),
      second(ROW, { '200': 10, '429': 70 }),
      second(ROW, { '200': 10, '429': 70 }),
    ];
    const r = quotaHeld(series, ROW, 10, 20);
    expect(r).toMatchObject({ passed: 51, allowed: 51, ok: true });
  });

  it('fails when more passed than burst plus rate by some second, and says by how much', () => {
    const series = [
      second(ROW, { '200': 31 }),
      second(ROW, { '200': 15, '503': 1 }),
      second(ROW, { '200': 5 }),
    ];
    const r = quotaHeld(series, ROW, 10, 20);
    expect(r.ok).toBe(false);
    expect(r.worstExcess).toBe(6); // 47 passed by second 2, 41 allowed
  });

  it('counts from the row’s first second, and other rows do not count', () => {
    const series = [
      second('other', { '200': 500 }),
      second(ROW, { '200': 31 }),
      { endpoints: { other: { statuses: { '200': 500 } } } },
    ];
    expect(quotaHeld(series, ROW, 10, 20)).toMatchObject({ passed: 31, allowed: 41, ok: true });
  });

  it('holds for a row that never ran', () => {
    expect(quotaHeld([second('other', { '200': 1 })], ROW, 10, 20)).toMatchObject({ passed: 0, ok: true });
  });
});
