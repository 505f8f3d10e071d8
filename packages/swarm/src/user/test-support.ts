import type { Environment } from '../environment';
import { Events } from '../events/events';

/** An environment for unit tests: no host, exceptions collected in `errors`. */
export function testEnvironment(): Environment & { errors: Array<[string, unknown]> } {
  const errors: Array<[string, unknown]> = [];
  return {
    events: new Events(() => {}),
    host: undefined,
    instanceHeader: 'x-instance',
    timeoutMs: 1000,
    onTaskError: (task, error) => errors.push([task, error]),
    onInterrupted: () => {},
    runner: null,
    setupData: undefined,
    annotate: () => 'a1',
    endAnnotation: () => {},
    metrics: { add: () => {} },
    errors,
  };
}

type MethodDecorator = (method: never, context: ClassMethodDecoratorContext) => void;

/**
 * Applies method decorators the way the TC39 transform does. Vitest 4 transforms TypeScript with oxc, which
 * lowers only legacy decorators, so unit tests apply the real `@task` / `@tag` functions by hand; the engine
 * tests run scenarios with the decorator syntax through tsx.
 */
export function decorate(cls: { prototype: object }, method: string, ...decorators: MethodDecorator[]): void {
  const fn = (cls.prototype as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new Error(`no method ${method}`);
  const context = {
    kind: 'method',
    name: method,
    static: false,
    private: false,
  } as ClassMethodDecoratorContext;
  for (const d of decorators.reverse()) d(fn as never, context);
}
