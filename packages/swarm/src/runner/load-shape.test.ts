import { describe, expect, it } from 'vitest';
import { rateStages, stages } from './load-shape';

describe('stages', () => {
  const spike = stages([
    { duration: '10s', target: 1 },
    { duration: '5s', target: 50 },
    { duration: 10, target: 50 },
    { duration: '5s', target: 1 },
  ]);

  it('ramps linearly to each target and ends after the last stage', () => {
    expect(spike.tick(0)).toEqual({ users: 1, spawnRate: 0.1 });
    expect(spike.tick(12)).toEqual({ users: 50, spawnRate: 49 / 5 });
    expect(spike.tick(20)).toEqual({ users: 50, spawnRate: 50 });
    expect(spike.tick(27)).toEqual({ users: 1, spawnRate: 49 / 5 });
    expect(spike.tick(30)).toBeNull();
  });

  it('rejects an empty list and negative targets', () => {
    expect(() => stages([])).toThrow(/at least one stage/);
    expect(() => stages([{ duration: '1s', target: -1 }])).toThrow(/stages\[0\]\.target/);
    expect(() => stages([{ duration: 'soon', target: 1 }])).toThrow(/bad duration/);
  });
});

describe('rateStages', () => {
  it('interpolates the arrival rate through the stages', () => {
    const s = rateStages(
      [
        { duration: '10s', target: 100 },
        { duration: '10s', target: 100 },
      ],
      20,
    );
    expect(s.tick(0)).toEqual({ rate: 20 });
    expect(s.tick(5)).toEqual({ rate: 60 });
    expect(s.tick(15)).toEqual({ rate: 100 });
    expect(s.tick(20)).toBeNull();
  });
});
