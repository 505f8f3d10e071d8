/** One series of the request metrics: its labels (one object, reused for every request) and its count. */
export interface RequestSeries {
  readonly labels: { method: string; route: string; status: string };
  count: number;
  /** How much of `count` prom-client has been given (metrics.ts hands it over when scraped). */
  reported: number;
}

/**
 * The request series by route template, method and status, found with three map lookups on values the request
 * already holds: recording a request builds no key string and no label object. Routes are templates and statuses
 * few, so the table stays small.
 */
export class RequestSeriesTable {
  /** Every series, in the order they first appeared. */
  readonly all: RequestSeries[] = [];
  readonly #byRoute = new Map<string, Map<string, Map<number, RequestSeries>>>();

  get(method: string, route: string, status: number): RequestSeries {
    // Plain lookups, no helper taking a callback: this runs once per request.
    let byMethod = this.#byRoute.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#byRoute.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { labels: { method, route, status: String(status) }, count: 0, reported: 0 };
      byStatus.set(status, series);
      this.all.push(series);
    }
    return series;
  }
}
