import { describe, expect, it } from 'vitest';
import { tag, task } from './task';
import { planTasks } from './task-plan';
import { SequentialTaskSet, TaskSet } from './task-set';
import { decorate } from './test-support';
import { User } from './user';

class Inner extends TaskSet {
  a() {}
  b() {}
}
decorate(Inner, 'a', task(2));
decorate(Inner, 'b', tag('deep'), task);

class Steps extends SequentialTaskSet {
  first() {}
  second() {}
}
tag('seq')(Steps, { kind: 'class', name: 'Steps' } as ClassDecoratorContext);
decorate(Steps, 'first', task);
decorate(Steps, 'second', task());

class Decorated extends User {
  read() {}
  write() {}
  never() {}
  helper() {}
  static override tasks = [[Inner, 4] as const, Steps];
}
decorate(Decorated, 'read', task(3));
decorate(Decorated, 'write', tag('write'), task);
decorate(Decorated, 'never', task(0));

class Plain extends User {
  static override tasks = { one: 1, two: 5 };
  one() {}
  two() {}
}

class Child extends Decorated {
  override read() {}
}
decorate(Child, 'read', task(7));

const summary = (plans: ReturnType<typeof planTasks>): unknown =>
  plans.map((p) => (p.set ? [p.name, p.weight, summary(p.set.tasks), p.set.sequential] : [p.name, p.weight]));

describe('planTasks', () => {
  it('collects decorated methods and static tasks in declaration order, skipping weight 0', () => {
    expect(summary(planTasks(Decorated))).toEqual([
      ['read', 3],
      ['write', 1],
      [
        'Inner',
        4,
        [
          ['a', 2],
          ['b', 1],
        ],
        false,
      ],
      [
        'Steps',
        1,
        [
          ['first', 1],
          ['second', 1],
        ],
        true,
      ],
    ]);
  });

  it('reads a plain-JavaScript static tasks map', () => {
    expect(summary(planTasks(Plain))).toEqual([
      ['one', 1],
      ['two', 5],
    ]);
  });

  it('lets a subclass override the weight of an inherited task', () => {
    expect(planTasks(Child).find((p) => p.name === 'read')?.weight).toBe(7);
  });

  it('keeps only tagged tasks with --tags, and a set when something inside qualifies', () => {
    expect(summary(planTasks(Decorated, { tags: ['write', 'deep'] }))).toEqual([
      ['write', 1],
      ['Inner', 4, [['b', 1]], false],
    ]);
    expect(summary(planTasks(Decorated, { tags: ['seq'] }))).toEqual([
      [
        'Steps',
        1,
        [
          ['first', 1],
          ['second', 1],
        ],
        true,
      ],
    ]);
  });

  it('drops excluded tags, whole sets included', () => {
    expect(summary(planTasks(Decorated, { excludeTags: ['write', 'seq', 'deep'] }))).toEqual([
      ['read', 3],
      ['Inner', 4, [['a', 2]], false],
    ]);
  });

  it('rejects a weight that is not a whole number', () => {
    expect(() => task(1.5)).not.toThrow();
    class W extends User {
      m() {}
    }
    expect(() => decorate(W, 'm', task(1.5))).toThrow(/@task\(1.5\) on m/);
  });

  it('names a static task that is not a method', () => {
    class Broken extends User {
      static override tasks = { missing: 1 };
    }
    expect(() => planTasks(Broken)).toThrow(/Broken\.tasks names "missing"/);
  });
});
