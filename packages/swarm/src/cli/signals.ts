import { stopCause } from '../runner/stop';

/** The signals that stop a run: Ctrl-C, and what Kubernetes, CI runners and `timeout` send. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const EXIT_AT_ONCE: Record<(typeof STOP_SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Stops a run on SIGINT (Ctrl-C) or SIGTERM: the first one aborts `controller` with the signal as the stop cause,
 * so the run ends, every report is written and the process exits with the run's verdict; a second one quits at
 * once (130 or 143, as a shell reports a signal). `notice` says on stderr what happens. Returns the function that
 * removes the handlers.
 *
 * @example
 * const release = stopOnSignals(controller, 'writing reports');
 * try { await run(controller.signal); } finally { release(); }
 */
export function stopOnSignals(controller: AbortController, notice: string): () => void {
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(EXIT_AT_ONCE[name]);
      process.stderr.write(`\nswarm: ${name}: stopping (again to quit at once); ${notice}\n`);
      controller.abort(stopCause('signal', name));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}
