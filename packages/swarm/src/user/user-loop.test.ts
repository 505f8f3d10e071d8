import { describe, expect, it } from 'vitest';
import { StopUser } from './control';
import { planTasks } from './task-plan';
import { SequentialTaskSet, TaskSet } from './task-set';
import { testEnvironment } from './test-support';
import { User } from './user';
import { UserLoop } from './user-loop';

describe('UserLoop', () => {
  it('runs onStart, tasks until StopUser, then onStop; counts a throwing task and goes on', async () => {
    const log: string[] = [];
    class U extends User {
      n = 0;
      override onStart() {
        log.push('start');
      }
      override onStop() {
        log.push('stop');
      }
      static override tasks = ['work'];
      work() {
        this.n += 1;
        log.push(`work${this.n}`);
        if (this.n === 2) throw new TypeError('boom');
        if (this.n === 4) throw new StopUser();
      }
    }
    const env = testEnvironment();
    const user = new U(env);
    await new UserLoop(user, planTasks(U), env.onTaskError).run();
    expect(log).toEqual(['start', 'work1', 'work2', 'work3', 'work4', 'stop']);
    expect(env.errors.map(([t, e]) => [t, (e as Error).message])).toEqual([['U.work', 'boom']]);
  });

  it('lets timers run between synchronous tasks that never wait, and stops within one of them', async () => {
    class Spinner extends User {
      static override tasks = ['spin'];
      n = 0;
      spin() {
        this.n += 1;
      }
    }
    const env = testEnvironment();
    const user = new Spinner(env);
    const loop = new UserLoop(user, planTasks(Spinner), env.onTaskError);
    const done = loop.run();
    // A timer must fire while the user spins, or this test never ends.
    await new Promise((r) => setTimeout(r, 20));
    const seen = user.n;
    expect(seen).toBeGreaterThan(32);
    loop.stop();
    await done;
    expect(user.n - seen).toBeLessThanOrEqual(32);
  });

  it('waits between async tasks and ends a wait early on stop, running onStop once', async () => {
    const log: string[] = [];
    class Slow extends User {
      override waitTime = () => 30;
      static override tasks = ['go'];
      async go() {
        await new Promise((r) => setTimeout(r, 5));
        log.push('go');
      }
      override onStop() {
        log.push('stop');
      }
    }
    const env = testEnvironment();
    const loop = new UserLoop(new Slow(env), planTasks(Slow), env.onTaskError);
    const done = loop.run();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    loop.stop();
    loop.stop();
    await done;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(log).toEqual(['go', 'stop']);
  });

  it('enters a sequential set, runs it in order, and leaves it by interrupt', async () => {
    const log: string[] = [];
    class Steps extends SequentialTaskSet {
      static override tasks = ['one', 'two'];
      one() {
        log.push('one');
      }
      two() {
        log.push('two');
        this.interrupt();
      }
    }
    class U extends User {
      visits = 0;
      static override tasks = [Steps];
      override afterTask() {
        if (log.length >= 6) throw new StopUser();
      }
    }
    const env = testEnvironment();
    // afterTask throwing StopUser is a test device: the loop treats it like a task's StopUser.
    await new UserLoop(new U(env), planTasks(U), env.onTaskError).run().catch(() => {});
    expect(log.slice(0, 6)).toEqual(['one', 'two', 'one', 'two', 'one', 'two']);
  });

  it('stop() cuts a long wait short and lets the user finish', async () => {
    class U extends User {
      runs = 0;
      override waitTime = () => 3600;
      static override tasks = ['work'];
      work() {
        this.runs += 1;
      }
    }
    const env = testEnvironment();
    const user = new U(env);
    const loop = new UserLoop(user, planTasks(U), env.onTaskError);
    const done = loop.run();
    await new Promise((r) => setImmediate(r));
    loop.stop();
    await done;
    expect(user.runs).toBe(1);
  });

  it('picks tasks by weight with the given random source', async () => {
    const picks: string[] = [];
    class U extends User {
      static override tasks = { a: 3, b: 1 };
      a() {
        picks.push('a');
      }
      b() {
        picks.push('b');
      }
    }
    const env = testEnvironment();
    const randoms = [0.1, 0.8, 0.74, 0.76];
    let i = 0;
    const loop = new UserLoop(new U(env), planTasks(U), env.onTaskError, () => randoms[i++ % 4]!);
    for (let n = 0; n < 4; n++) await loop.iterate();
    expect(picks).toEqual(['a', 'b', 'a', 'b']);
  });

  it('a task set exposes a missing client as a counted exception, not a crash', async () => {
    class S extends TaskSet {
      static override tasks = ['use'];
      calls = 0;
      use() {
        this.calls += 1;
        if (this.calls > 1) this.interrupt();
        return this.client.get('/');
      }
    }
    class U extends User {
      static override tasks = [S];
    }
    const env = testEnvironment();
    const loop = new UserLoop(new U(env), planTasks(U), env.onTaskError);
    await loop.iterate();
    expect(env.errors.map(([t, e]) => [t, String(e)])).toEqual([
      ['S.use', expect.stringMatching(/no HTTP client/)],
    ]);
  });
});
