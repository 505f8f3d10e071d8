import { describe, expect, it } from 'vitest';
import { Events, LoadShape, runSwarm, User } from '../src/index';

/** Protocol-free users that log their start and stop and otherwise wait: spawning is observed without sockets. */
function tracked(log: string[]) {
  class Base extends User {
    static override abstract = true;
    static override tasks = ['idle'];
    override waitTime = () => 60;
    idle() {}
    override onStart() {
      log.push(`start ${this.constructor.name}`);
    }
    override onStop() {
      log.push(`stop ${this.constructor.name}`);
    }
  }
  class A extends Base {
    static override weight = 3;
  }
  class B extends Base {
    static override weight = 1;
  }
  class Admin extends Base {
    static override fixedCount = 2;
  }
  return { A, B, Admin };
}

const count = (log: string[], entry: string) => log.filter((l) => l === entry).length;

describe('spawning', () => {
  it('spawns class proportions by weight exactly, fixed counts first', async () => {
    const log: string[] = [];
    const { A, B, Admin } = tracked(log);
    const events = new Events();
    const stop = new AbortController();
    let completeAt = -1;
    events.spawningComplete.add((e) => {
      completeAt = e.userCount;
      stop.abort();
    });
    const s = await runSwarm({
      classes: [A, B, Admin],
      users: 42,
      spawnRate: 1000,
      events,
      signal: stop.signal,
    });
    expect(completeAt).toBe(42);
    expect(log.slice(0, 2)).toEqual(['start Admin', 'start Admin']);
    expect([count(log, 'start A'), count(log, 'start B'), count(log, 'start Admin')]).toEqual([30, 10, 2]);
    expect(count(log, 'stop A') + count(log, 'stop B') + count(log, 'stop Admin')).toBe(42);
    expect(s.config.userClasses).toEqual(['A', 'B', 'Admin']);
  });

  it('follows a load shape up and down in one run and ends when the shape does', async () => {
    const log: string[] = [];
    const { A, B } = tracked(log);
    const peaks: number[] = [];
    class UpDown extends LoadShape {
      tick(t: number) {
        if (t < 1) return { users: 8, spawnRate: 1000 };
        if (t < 2) return { users: 2, spawnRate: 1000 };
        return null;
      }
    }
    const events = new Events();
    events.spawningComplete.add((e) => peaks.push(e.userCount));
    const s = await runSwarm({ classes: [A, B], shape: new UpDown(), events, runTimeS: 30 });
    expect(peaks).toEqual([8, 2]);
    // Ramp-down stops the last spawned first: of 8 users (A A B A A A B A), 2 remain: A A.
    const stops = log.filter((l) => l.startsWith('stop'));
    expect(stops.slice(0, 6)).toEqual(['stop A', 'stop B', 'stop A', 'stop A', 'stop A', 'stop B']);
    expect(stops.slice(6)).toEqual(['stop A', 'stop A']);
    expect(s.durationS).toBeLessThan(30);
  });
});
