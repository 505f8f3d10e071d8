import { describe, expect, it } from 'vitest';
import { HttpUser } from '../user/http-user';
import { defaultRunId } from './run-id';

class Reader extends HttpUser {}

const options = { classes: [Reader], host: 'http://127.0.0.1:8080', users: 10, runTimeS: 60 };
const at = (options: object, scenarioText = 'export class Reader {}') =>
  defaultRunId({
    options: options as never,
    scenarioText,
    now: new Date('2026-12-01T21:30:00.123Z'),
    random: () => 0.25,
  });

describe('defaultRunId', () => {
  it('gives a run of its own its start time and a random suffix', () => {
    expect(at(options)).toBe('20261201T213000Z-400000');
  });

  it('derives a segment’s id from what every segment of the run shares, not from its own index', () => {
    const one = at({ ...options, segment: { index: 0, count: 2 } });
    const two = at({ ...options, segment: { index: 1, count: 2 } });
    expect(one).toMatch(/^cfg-[0-9a-f]{12}$/);
    expect(two).toBe(one);
    expect(at({ ...options, users: 20, segment: { index: 0, count: 2 } })).not.toBe(one);
    expect(at({ ...options, segment: { index: 0, count: 3 } })).not.toBe(one);
    expect(at({ ...options, segment: { index: 0, count: 2 } }, 'export class Writer {}')).not.toBe(one);
  });
});
