import { describe, expect, it } from 'vitest';
import { parseChangeForm, parseStartForm } from './form';

describe('web UI forms', () => {
  it('accepts a start form and defaults to every user class', () => {
    const r = parseStartForm({ users: '10', spawnRate: '2.5', host: 'http://127.0.0.1:8080/' }, ['A', 'B']);
    expect(r).toEqual({
      ok: true,
      value: { users: 10, spawnRate: 2.5, host: 'http://127.0.0.1:8080', userClasses: ['A', 'B'] },
    });
  });

  it('names every bad field', () => {
    const r = parseStartForm({ users: '-3', spawnRate: '0', host: 'localhost:8080', userClasses: ['C'] }, [
      'A',
    ]);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['host', 'spawnRate', 'userClasses', 'users']);
    expect(!r.ok && r.errors.users).toBe('a whole number ≥ 0');
  });

  it('takes an optional run time, as Locust’s advanced option, and names a bad one', () => {
    const base = { users: '1', spawnRate: '1', host: 'http://127.0.0.1:8080' };
    expect(parseStartForm({ ...base, runTime: '1m30s' }, ['A'])).toMatchObject({ value: { runTimeS: 90 } });
    expect(parseStartForm({ ...base, runTime: ' ' }, ['A'])).toEqual({
      ok: true,
      value: { users: 1, spawnRate: 1, host: 'http://127.0.0.1:8080', userClasses: ['A'] },
    });
    for (const bad of ['soon', '0', '-5s']) {
      const r = parseStartForm({ ...base, runTime: bad }, ['A']);
      expect(!r.ok && r.errors.runTime, bad).toBe(
        'a duration such as 30s, 5m or 1h30m (empty: until stopped)',
      );
    }
  });

  it('refuses fractional, empty and huge user counts when changing a run', () => {
    expect(parseChangeForm({ users: '1.5', spawnRate: '1' }).ok).toBe(false);
    expect(parseChangeForm({ users: '', spawnRate: '1' }).ok).toBe(false);
    expect(parseChangeForm({ users: '1000000', spawnRate: '1' }).ok).toBe(false);
    expect(parseChangeForm({ users: '0', spawnRate: '1' })).toEqual({
      ok: true,
      value: { users: 0, spawnRate: 1 },
    });
  });
});
