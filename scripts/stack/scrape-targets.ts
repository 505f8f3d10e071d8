import type { ScrapeTarget } from './monitoring-config';

/**
 * Prometheus's view of the scrape targets, held against the targets the stack expects. Pure: `up` waits until
 * `pendingTargets` is empty, and `make health` / `make status` print `targetStates` as a table.
 */

/** One entry of Prometheus's `/api/v1/targets` `activeTargets` (the fields read here). */
export interface ActiveTarget {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** ISO time of the last scrape; the zero time (year 1) before the first one. */
  lastScrape: string;
  lastScrapeDuration: number;
}

export interface TargetState extends ScrapeTarget {
  /** `missing`: not among Prometheus's targets (its config is not loaded yet); `unknown`: not scraped yet. */
  health: ActiveTarget['health'] | 'missing';
  /** The replica's name for the api job; the address otherwise. */
  instance: string;
  lastError?: string;
  lastScrapeAgoS?: number;
  scrapeMs?: number;
}

/** Each expected target with what Prometheus says of it; `nowMs` dates the last scrapes. */
export function targetStates(expected: ScrapeTarget[], active: ActiveTarget[], nowMs: number): TargetState[] {
  return expected.map((target) => {
    const found = active.find(
      (a) => a.scrapePool === target.job && a.discoveredLabels.__address__ === target.address,
    );
    const instance = target.labels?.instance ?? target.address;
    if (!found) return { ...target, instance, health: 'missing' };
    const at = Date.parse(found.lastScrape);
    const scraped = Number.isFinite(at) && at > 0;
    return {
      ...target,
      instance,
      health: found.health,
      lastError: found.lastError || undefined,
      lastScrapeAgoS: scraped ? Math.max(0, (nowMs - at) / 1000) : undefined,
      scrapeMs: scraped ? found.lastScrapeDuration * 1000 : undefined,
    };
  });
}

/** Targets of an old config (a replica since removed) that Prometheus still scrapes: it has not reloaded yet. */
export function staleTargets(expected: ScrapeTarget[], active: ActiveTarget[]): ActiveTarget[] {
  return active.filter(
    (a) => !expected.some((t) => t.job === a.scrapePool && t.address === a.discoveredLabels.__address__),
  );
}

/** The required targets that are not up yet (all but `swarm`). */
export const pendingTargets = (states: TargetState[]) =>
  states.filter((s) => s.required && s.health !== 'up');

/** `api app2 (127.0.0.1:8002) is down: connection refused`: one target's state in words, for errors and tables. */
export function describeTarget(s: TargetState): string {
  const name = `${s.job} ${s.instance}${s.instance === s.address ? '' : ` (${s.address})`}`;
  switch (s.health) {
    case 'up':
      return `${name} is up`;
    case 'missing':
      return `${name} is not among Prometheus's targets (its configuration is not loaded yet)`;
    case 'unknown':
      return `${name} has not been scraped yet`;
    default:
      return `${name} is down${s.lastError ? `: ${s.lastError}` : ''}`;
  }
}
