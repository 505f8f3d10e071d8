export { EventHook, type ListenerErrorReporter } from './event-hook';
export { Events, type SpawningCompleteEvent, stderrListenerReporter, type TestEvent } from './events';
export type { RequestEvent } from './request-event';
