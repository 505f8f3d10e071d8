import { describe, expect, it } from 'vitest';
import { between, constant, constantPacing, constantThroughput } from './wait-time';

const at = (taskStartedAtMs: number, nowMs: number) => ({ taskStartedAtMs, nowMs });

describe('wait times', () => {
  it('between spans [min, max] by the random source', () => {
    expect(between(1, 3, () => 0)(at(0, 0))).toBe(1);
    expect(between(1, 3, () => 0.5)(at(0, 0))).toBe(2);
    expect(between(1, 3, () => 0.999999)(at(0, 0))).toBeCloseTo(3, 5);
  });

  it('constant ignores the task duration', () => {
    expect(constant(2)(at(0, 5000))).toBe(2);
    expect(constant()(at(0, 0))).toBe(0);
  });

  it('constantPacing waits what is left of the period, never negative', () => {
    expect(constantPacing(2)(at(1000, 1500))).toBe(1.5);
    expect(constantPacing(2)(at(1000, 4000))).toBe(0);
  });

  it('constantThroughput is pacing at 1/rate', () => {
    expect(constantThroughput(4)(at(0, 100))).toBeCloseTo(0.15, 10);
  });

  it('gives every user of a class the same wait function, unless it has its own random source', () => {
    expect(between(1, 3)).toBe(between(1, 3));
    expect(between(1, 3)).not.toBe(between(1, 4));
    expect(constant(2)).toBe(constant(2));
    expect(constantPacing(2)).toBe(constantPacing(2));
    const random = () => 0.5;
    expect(between(1, 3, random)).not.toBe(between(1, 3, random));
    expect(between(1, 3, random)(at(0, 0))).toBe(2);
  });

  it('rejects impossible arguments', () => {
    expect(() => between(3, 1)).toThrow(/min ≤ max/);
    expect(() => constant(-1)).toThrow();
    expect(() => constantPacing(0)).toThrow();
    expect(() => constantThroughput(0)).toThrow();
  });
});
