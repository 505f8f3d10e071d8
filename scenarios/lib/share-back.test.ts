import { describe, expect, it } from 'vitest';
import { type InstanceSecond, shareBack } from './share-back';

const second = (t: number, app1: number, app2: number, app3: number): InstanceSecond => ({
  t,
  instances: { app1, app2, app3 },
});

describe('shareBack', () => {
  it('counts from the part’s return to the first second of a held share', () => {
    const series = [
      second(100, 50, 0, 50), // down
      second(101, 50, 0, 50),
      second(102, 45, 5, 50), // back at 102.4: a trickle first
      second(103, 40, 20, 40), // a share from here on
      second(104, 33, 33, 34),
      second(105, 33, 33, 34),
    ];
    const r = shareBack(series, 'app2', 102_400, { replicas: 3 });
    expect(r.seconds).toBeCloseTo(0.6);
    expect(r.shares).toEqual([0.05, 0.2, 0.33, 0.33]);
  });

  it('needs the share held: a second below it starts the count again', () => {
    const series = [
      second(10, 30, 30, 30),
      second(11, 45, 0, 45),
      second(12, 30, 30, 30),
      second(13, 30, 30, 30),
      second(14, 30, 30, 30),
    ];
    expect(shareBack(series, 'app2', 10_000, { replicas: 3 }).seconds).toBe(2);
  });

  it('skips seconds without requests and says null when the share never came back', () => {
    const series = [second(10, 0, 0, 0), second(11, 50, 1, 50), second(12, 50, 1, 50), second(13, 50, 1, 50)];
    const r = shareBack(series, 'app2', 10_000, { replicas: 3 });
    expect(r.seconds).toBeNull();
    expect(r.shares).toHaveLength(3);
  });
});
