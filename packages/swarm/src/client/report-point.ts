import type { Response } from './response';

/** What reporting needs of a user's client: the responses whose verdict is open, and how to fire an event. */
export interface Reporter {
  /** The response whose verdict is still open (a user nearly always sends one request at a time), or null. */
  pending: Response | null;
  /**
   * Further open responses, when a task awaited several requests at once (`Promise.all`): made on demand, so
   * the usual user keeps nothing more than `pending`.
   */
  alsoPending: Response[] | null;
  /** Fires the `request` event of a response. */
  fireRequest(response: Response): void;
}

function report(client: Reporter, response: Response): void {
  response.reported = true;
  client.fireRequest(response);
}

function settle(client: Reporter): void {
  const p = client.pending;
  const more = client.alsoPending;
  client.pending = null;
  client.alsoPending = null;
  if (p !== null && !p.reported) report(client, p);
  if (more !== null) for (const r of more) if (!r.reported) report(client, r);
}

/**
 * When a request is reported — the one place that says it. A response's verdict (failed or not) stays open while
 * the task may still judge it, and its `request` event fires once it is final, at the first of:
 * - the task's own verdict: `res.failure(reason)` or `res.success()` (`decided`);
 * - the user's next request: the task moved on without judging it (`nextRequest`);
 * - the end of the task, the user loop's `afterTask`, or the user's client closing (`endOfTask`).
 * A response still open when the test is forced to stop is never reported (`drop`): it counts as interrupted.
 * Functions over the client's own `pending` field, not an object per user: 10,000 users keep nothing more.
 *
 * @example
 * reportPoint.nextRequest(client); ...; reportPoint.open(client, res); ...; reportPoint.endOfTask(client);
 */
export const reportPoint = {
  /** A request is about to be sent: the one before it is final now. */
  nextRequest: settle,

  /** A response arrived: its verdict stays open for the task (beside any other still open). */
  open(client: Reporter, response: Response): void {
    if (client.pending === null || client.pending.reported) client.pending = response;
    else {
      client.alsoPending ??= [];
      client.alsoPending.push(response);
    }
  },

  /** The task gave its verdict (`failure()` / `success()`): reported now, once. */
  decided(client: Reporter, response: Response): void {
    if (response.reported) return;
    if (client.pending === response) client.pending = null;
    else if (client.alsoPending !== null) {
      const i = client.alsoPending.indexOf(response);
      if (i >= 0) client.alsoPending.splice(i, 1);
    }
    report(client, response);
  },

  /** The task ended, or the client closes: the open verdict is final. */
  endOfTask: settle,

  /** A forced stop: the open responses are dropped unreported; how many there were. */
  drop(client: Reporter): number {
    let open = client.pending !== null && !client.pending.reported ? 1 : 0;
    if (client.alsoPending !== null) for (const r of client.alsoPending) if (!r.reported) open++;
    client.pending = null;
    client.alsoPending = null;
    return open;
  },
};
