import { tagsOf, taskWeightOf } from './task';

/** A nested task-set class as a task: any class with a constructor the loop can call. */
// biome-ignore lint/suspicious/noExplicitAny: task-set constructors take the user and the parent.
export type TaskSetLike = abstract new (...args: any[]) => object;

/**
 * The `static tasks` of a plain-JavaScript class: method names to weights, or a list of methods and task-set
 * classes (weight 1), or a list of `[methodOrSet, weight]` pairs.
 */
export type TasksSpec =
  | Readonly<Record<string, number>>
  | ReadonlyArray<string | TaskSetLike | readonly [string | TaskSetLike, number]>;

/** One resolved task of a class, nested sets resolved recursively, tag filters applied. */
export interface TaskPlan {
  name: string;
  weight: number;
  tags: ReadonlySet<string>;
  /** The method to call, for a method task. */
  method?: string;
  /** The class and the resolved tasks, for a nested task set. */
  set?: { cls: TaskSetLike; tasks: TaskPlan[]; sequential: boolean };
}

export interface TagFilter {
  tags?: readonly string[];
  excludeTags?: readonly string[];
}

interface RawTask {
  name: string;
  weight: number;
  method?: string;
  set?: TaskSetLike;
}

type ClassWithTasks = TaskSetLike & { tasks?: TasksSpec; sequential?: boolean };

/** Decorated methods along the prototype chain (a subclass overrides), then `static tasks`, in declaration order. */
function rawTasks(cls: ClassWithTasks): RawTask[] {
  const byName = new Map<string, RawTask>();
  const chain: object[] = [];
  for (
    let p = cls.prototype as object | null;
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    chain.unshift(p);
  }
  for (const proto of chain) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (typeof value !== 'function') continue;
      const weight = taskWeightOf(value);
      if (weight !== undefined) byName.set(key, { name: key, weight, method: key });
    }
  }
  // Static properties inherit: a subclass without its own `tasks` runs its parent's.
  const spec = cls.tasks;
  if (spec !== undefined) {
    const entries: Array<readonly [string | TaskSetLike, number]> = Array.isArray(spec)
      ? spec.map((x) =>
          Array.isArray(x)
            ? (x as unknown as readonly [string | TaskSetLike, number])
            : ([x as string, 1] as const),
        )
      : Object.entries(spec as Record<string, number>);
    for (const [target, weight] of entries) {
      if (typeof target === 'string') {
        if (typeof (cls.prototype as Record<string, unknown>)[target] !== 'function') {
          throw new Error(`${cls.name}.tasks names "${target}", which is not a method of ${cls.name}`);
        }
        byName.set(target, { name: target, weight, method: target });
      } else {
        byName.set(target.name, { name: target.name, weight, set: target });
      }
    }
  }
  return [...byName.values()];
}

function passes(tags: ReadonlySet<string>, filter: TagFilter): boolean {
  if (filter.excludeTags?.some((t) => tags.has(t))) return false;
  return filter.tags === undefined || filter.tags.length === 0 || filter.tags.some((t) => tags.has(t));
}

/**
 * Resolves the tasks of a user or task-set class once, before the run: decorated methods and `static tasks`,
 * nested sets recursively, tags inherited from an enclosing set, `--tags` / `--exclude-tags` applied. A set
 * whose tasks are all filtered out disappears.
 *
 * @example
 * planTasks(Reader, { tags: ['read'] }); // [{ name: 'list', weight: 3, ... }]
 */
export function planTasks(
  cls: TaskSetLike,
  filter: TagFilter = {},
  inherited: ReadonlySet<string> = new Set(),
): TaskPlan[] {
  const plans: TaskPlan[] = [];
  for (const raw of rawTasks(cls as ClassWithTasks)) {
    if (raw.weight === 0) continue;
    if (raw.set !== undefined) {
      const setTags = new Set([...inherited, ...tagsOf(raw.set)]);
      if (filter.excludeTags?.some((t) => setTags.has(t))) continue;
      const inner = planTasks(raw.set, filter, setTags);
      if (inner.length === 0) continue;
      const sequential = (raw.set as ClassWithTasks).sequential === true;
      plans.push({
        name: raw.name,
        weight: raw.weight,
        tags: setTags,
        set: { cls: raw.set, tasks: inner, sequential },
      });
    } else {
      const method = (cls.prototype as Record<string, object>)[raw.method!]!;
      const tags = new Set([...inherited, ...tagsOf(method)]);
      if (!passes(tags, filter)) continue;
      plans.push({ name: raw.name, weight: raw.weight, tags, method: raw.method! });
    }
  }
  return plans;
}
