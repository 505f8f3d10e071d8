// biome-ignore lint/suspicious/noExplicitAny: a task method may take any `this` and return anything.
type Method = (this: any) => unknown;

const TASK_WEIGHTS = new WeakMap<object, number>();
const TAGS = new WeakMap<object, ReadonlySet<string>>();

function markTask(method: object, weight: number, where: string): void {
  if (!Number.isInteger(weight) || weight < 0)
    throw new Error(`@task(${weight}) on ${where}: need an integer ≥ 0`);
  TASK_WEIGHTS.set(method, weight);
}

/**
 * Marks a method as a task, picked with probability proportional to `weight` (default 1). A TC39 standard
 * decorator: works with `@task` and `@task(3)`; no `experimentalDecorators`.
 *
 * @example
 * class Reader extends HttpUser {
 *   @task(3) async list() { await this.client.get('/users'); }
 *   @task async one() { await this.client.get('/users/1'); }
 * }
 */
export function task<T extends Method>(method: T, context: ClassMethodDecoratorContext): void;
export function task(
  weight?: number,
): <T extends Method>(method: T, context: ClassMethodDecoratorContext) => void;
export function task(
  arg?: number | Method,
  context?: ClassMethodDecoratorContext,
): undefined | ((method: Method, context: ClassMethodDecoratorContext) => void) {
  if (typeof arg === 'function') {
    markTask(arg, 1, String(context?.name));
    return undefined;
  }
  const weight = arg ?? 1;
  return function taskDecorator(method: Method, ctx: ClassMethodDecoratorContext) {
    markTask(method, weight, String(ctx.name));
  };
}

/**
 * Tags a task method or a task-set class, for `--tags` and `--exclude-tags`.
 *
 * @example
 * @tag('write') @task async create() { ... }
 */
export function tag(...names: string[]) {
  return function tagDecorator(
    target: object,
    _context: ClassMethodDecoratorContext | ClassDecoratorContext,
  ) {
    TAGS.set(target, new Set([...(TAGS.get(target) ?? []), ...names]));
  };
}

/** The weight given by `@task`, or undefined for a method that is not a task. */
export function taskWeightOf(method: object): number | undefined {
  return TASK_WEIGHTS.get(method);
}

/** The tags given by `@tag` to a method or a class. */
export function tagsOf(target: object): ReadonlySet<string> {
  return TAGS.get(target) ?? new Set();
}
