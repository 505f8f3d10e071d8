import { describe, expect, it } from 'vitest';
import { outcomeOf, parseLedgers, versionOfEtag } from './write-ledger';

describe('the write ledger', () => {
  it('sorts answers into acknowledged, unknown and refused', () => {
    expect([201, 200, 204].map(outcomeOf)).toEqual(['acked', 'acked', 'acked']);
    expect([0, 500, 502, 503, 504, 408].map(outcomeOf)).toEqual(Array(6).fill('unknown'));
    expect([400, 404, 409, 412, 428, 429].map(outcomeOf)).toEqual(Array(6).fill('refused'));
  });

  it('reads versions from the API’s ETags only', () => {
    expect(versionOfEtag('"v3"')).toBe(3);
    expect(versionOfEtag('W/"v12"')).toBe(12);
    expect(versionOfEtag('"abc"')).toBeNull();
    expect(versionOfEtag(undefined)).toBeNull();
  });

  it('merges the files of several processes and marks one without its end line incomplete', () => {
    const a = [
      '{"k":"start","pid":11}',
      '{"k":"w","op":"create","id":1,"version":1,"status":201,"at":5}',
      '{"k":"s","id":1,"expected":">= v2","got":"v1","upstream":"127.0.0.1:1","instance":"app1","cache":"HIT","at":6}',
      '{"k":"end","pid":11}',
      '',
    ].join('\n');
    const killed = [
      '{"k":"start","pid":12}',
      '{"k":"w","op":"delete","id":2,"version":null,"status":204,"at":7}',
      '{"k":"w","op',
    ].join('\n');
    const r = parseLedgers([a, killed]);
    expect(r.writes.map((w) => w.id)).toEqual([1, 2]);
    expect(r.stale).toHaveLength(1);
    expect(r.processes).toEqual([
      { pid: 11, complete: true },
      { pid: 12, complete: false },
    ]);
  });
});
