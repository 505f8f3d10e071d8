import { describe, expect, it } from 'vitest';
import { parseThreshold } from './parse';

describe('parseThreshold', () => {
  it.each([
    ['p(95)<500', { kind: 'percentile', p: 95 }, '<', 500, null],
    ['p(99.9) <= 1500', { kind: 'percentile', p: 99.9 }, '<=', 1500, null],
    ['avg<200', { kind: 'avg' }, '<', 200, null],
    ['max<2000', { kind: 'max' }, '<', 2000, null],
    ['rate<0.01', { kind: 'rate' }, '<', 0.01, null],
    ['failure_rate<0.01', { kind: 'rate' }, '<', 0.01, null],
    ['hit_ratio>0.8', { kind: 'hit_ratio' }, '>', 0.8, null],
    ['instance_skew<0.1', { kind: 'instance_skew' }, '<', 0.1, null],
    ['rps>=100', { kind: 'rps' }, '>=', 100, null],
    [
      'p(95){GET /users/:id}<300',
      { kind: 'percentile', p: 95 },
      '<',
      300,
      { method: 'GET', name: '/users/:id' },
    ],
    ['rate{create user}==0', { kind: 'rate' }, '==', 0, { method: null, name: 'create user' }],
    ['dropped_rate<0.01', { kind: 'dropped_rate', run: true }, '<', 0.01, null],
    ['dropped==0', { kind: 'dropped', run: true }, '==', 0, null],
    ['lost_writes==0', { kind: 'custom', name: 'lost_writes' }, '==', 0, null],
    ['latency<5', { kind: 'custom', name: 'latency' }, '<', 5, null],
    ['recovery_s<10', { kind: 'recovery_s', fault: true }, '<', 10, null],
    [
      'fault_failures{GET /api/users/:id}==0',
      { kind: 'fault_failures', fault: true },
      '==',
      0,
      { method: 'GET', name: '/api/users/:id' },
    ],
  ])('%s', (text, metric, op, value, endpoint) => {
    expect(parseThreshold(text)).toEqual({ expression: text.trim(), metric, op, value, endpoint });
  });

  it.each([
    ['p95<500', /unknown metric "p95"/],
    ['p(0)<5', /0 < N ≤ 100/],
    ['avg 200', /bad threshold "avg 200": use metric/],
    ['avg<', /bad threshold/],
    ['foo(3)<5', /unknown metric "foo\(3\)"/],
    ['stale_reads{GET /x}==0', /custom metric stale_reads takes no \{\} selector/],
    ['avg{}<5', /empty \{\} selector/],
    ['dropped{GET /x}==0', /dropped is of the whole run, not of one endpoint/],
  ])('rejects %s', (text, message) => {
    expect(() => parseThreshold(text)).toThrow(message);
  });

  it('reads recovery_s{...} and time_to_first_failure{...} as a fault window label, not an endpoint', () => {
    expect(parseThreshold('recovery_s{redis frozen}<5')).toMatchObject({
      label: 'redis frozen',
      endpoint: null,
    });
    expect(parseThreshold('time_to_first_failure{GET kill}>1')).toMatchObject({ label: 'GET kill' });
  });

  it('keeps built-in names winning over custom ones', () => {
    expect(parseThreshold('count==5').metric).toEqual({ kind: 'count' });
    expect(parseThreshold('dropped==0').metric).toEqual({ kind: 'dropped', run: true });
  });
});
