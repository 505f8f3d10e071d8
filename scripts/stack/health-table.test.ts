import { describe, expect, it } from 'vitest';
import { allHealthy, formatUptime, renderHealthTable } from './health-table';

describe('renderHealthTable', () => {
  it('prints one aligned row per part', () => {
    const text = renderHealthTable([
      { part: 'gateway', status: 'up', detail: 'http://127.0.0.1:8080' },
      { part: 'app1', status: 'up', instance: 'app1', uptimeS: 125.4, ready: true },
      { part: 'app2', status: 'down', detail: '/app2/health answered 502' },
    ]);
    expect(text.split('\n')).toEqual([
      'part     status  instance  uptime  ready  detail',
      'gateway  up      -         -       -      http://127.0.0.1:8080',
      'app1     up      app1      2m05s   yes',
      'app2     down    -         -       -      /app2/health answered 502',
    ]);
  });

  it('is healthy only when every part is up', () => {
    expect(allHealthy([{ part: 'a', status: 'up' }])).toBe(true);
    expect(
      allHealthy([
        { part: 'a', status: 'up' },
        { part: 'b', status: 'degraded' },
      ]),
    ).toBe(false);
  });

  it('formats uptimes compactly', () => {
    expect([formatUptime(9.7), formatUptime(61), formatUptime(7322)]).toEqual(['9s', '1m01s', '2h02m']);
  });
});
