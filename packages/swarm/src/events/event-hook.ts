/** Where a throwing listener is reported; it never stops the run. */
export type ListenerErrorReporter = (hook: string, error: unknown) => void;

/**
 * A list of listeners fired in order. A listener that throws is reported through `onError` and the others still
 * run, so a bug in a custom listener cannot stop a load test.
 *
 * @example
 * const hook = new EventHook<number>('tick', console.error);
 * hook.add((n) => console.log(n));
 * hook.fire(1);
 */
export class EventHook<T> {
  private listeners: Array<(event: T) => void> = [];

  constructor(
    readonly hookName: string,
    private readonly onError: ListenerErrorReporter,
  ) {}

  add(listener: (event: T) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => this.remove(listener);
  }

  remove(listener: (event: T) => void): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  fire(event: T): void {
    // The array is replaced, never mutated, so a listener that adds or removes listeners is safe here.
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(event);
      } catch (error) {
        this.onError(this.hookName, error);
      }
    }
  }
}
