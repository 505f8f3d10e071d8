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
  ])('%s', (text, metric, op, value, endpoint) => {
    expect(parseThreshold(text)).toEqual({ expression: text.trim(), metric, op, value, endpoint });
  });

  it.each([
    ['p95<500', /unknown metric "p95"/],
    ['p(0)<5', /0 < N ≤ 100/],
    ['avg 200', /bad threshold "avg 200": use metric/],
    ['avg<', /bad threshold/],
    ['latency<5', /unknown metric "latency"/],
    ['avg{}<5', /empty \{\} selector/],
    ['dropped{GET /x}==0', /dropped is of the whole run, not of one endpoint/],
  ])('rejects %s', (text, message) => {
    expect(() => parseThreshold(text)).toThrow(message);
  });
});
