/** A bad flag, value or scenario: the command prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of `swarm`: thresholds hold, a threshold failed, usage or configuration error. */
export const EXIT = { ok: 0, thresholdFailed: 1, usage: 2 } as const;

/** The scenario's setup() threw (e.g. its contract pass found a broken deployment): no user starts; exit 2. */
export class SetupError extends UsageError {
  constructor(message: string) {
    super(`setup failed, no user started: ${message}`);
    this.name = 'SetupError';
  }
}
