import { EventHook, type ListenerErrorReporter } from './event-hook';
import type { RequestEvent } from './request-event';

/** Fired once when the test starts and once when it stops. */
export interface TestEvent {
  /** Epoch milliseconds. */
  time: number;
}

/** Fired when the spawner reached its target user count. */
export interface SpawningCompleteEvent {
  userCount: number;
}

/** Reports a throwing listener to stderr, at most `limit` times so a broken listener cannot flood the console. */
export function stderrListenerReporter(limit = 10): ListenerErrorReporter {
  let reported = 0;
  return function reportListenerError(hook, error) {
    reported += 1;
    if (reported > limit) return;
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`swarm: a "${hook}" listener threw (the run goes on): ${text}\n`);
  };
}

/**
 * The engine's events, one instance per run. The client fires only `request`; statistics subscribe to it.
 *
 * @example
 * const events = new Events();
 * events.request.add((e) => { if (e.error) console.log(e.name, e.error); });
 */
export class Events {
  readonly request: EventHook<RequestEvent>;
  readonly testStart: EventHook<TestEvent>;
  readonly testStop: EventHook<TestEvent>;
  readonly spawningComplete: EventHook<SpawningCompleteEvent>;

  constructor(onListenerError: ListenerErrorReporter = stderrListenerReporter()) {
    this.request = new EventHook('request', onListenerError);
    this.testStart = new EventHook('testStart', onListenerError);
    this.testStop = new EventHook('testStop', onListenerError);
    this.spawningComplete = new EventHook('spawningComplete', onListenerError);
  }
}
