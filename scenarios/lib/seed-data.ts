/** What `setup()` hands every simulated user: the run's id and the hot set of users it created. */
export interface SeedData {
  /** Unique per run; every e-mail address a run creates carries it, so runs never collide. */
  runId: string;
  /** Ids of the hot set, created before the measured part so reads have something to read from the first second. */
  hotIds: number[];
  /** How many replicas the gateway balances over (`/app1` … `/appN`). */
  replicas: number;
}

let serial = 0;

/** A fresh address for this run; unique within the process, and across runs through the run id. */
export function newEmail(data: SeedData, kind: string): string {
  serial += 1;
  return `${kind}-${data.runId}-${process.pid}-${serial}@example.test`;
}

/** One random element; the arrays here are never empty when called. */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
