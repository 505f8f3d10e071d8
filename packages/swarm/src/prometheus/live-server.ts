import type { LiveControl } from '../runner/run-options';
import type { ServerSummary, Summary } from '../stats/summary-types';
import type { ServerQuery } from './server-queries';
import { collectServerSeries } from './server-series';

export interface LiveServerOptions {
  url: string;
  queries: ReadonlyArray<ServerQuery & { name: string }>;
  /** How often to ask Prometheus while the run goes; default 5000 ms. */
  everyMs?: number;
}

/**
 * The web UI's live server charts: wraps a running test's control so that its snapshots carry the servers'
 * series from Prometheus, asked again every `everyMs` (one round of queries at a time, from the run's start to
 * now), while the page re-renders once a second. Its warnings stay in the summary (the final round, at the end
 * of the run, prints them). `stop()` ends the asking.
 *
 * @example
 * const live = withLiveServerSeries(control, { url, queries }); hooks.onControl(live.control); ...; live.stop();
 */
export function withLiveServerSeries(
  control: LiveControl,
  o: LiveServerOptions,
): { control: LiveControl; stop(): void } {
  let latest: ServerSummary | undefined;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const ask = async () => {
    try {
      latest = await collectServerSeries(control.snapshot(), { ...o, settleMs: 0, warn: () => {} });
    } finally {
      if (!stopped) timer = setTimeout(ask, o.everyMs ?? 5000);
    }
  };
  timer = setTimeout(ask, 0);
  const wrapped: LiveControl = {
    get userCount() {
      return control.userCount;
    },
    setUsers: (users, spawnRate) => control.setUsers(users, spawnRate),
    resetStats: () => control.resetStats(),
    usersByClass: () => control.usersByClass?.() ?? {},
    snapshot(): Summary {
      const s = control.snapshot();
      return latest === undefined ? s : { ...s, server: latest };
    },
  };
  return {
    control: wrapped,
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
