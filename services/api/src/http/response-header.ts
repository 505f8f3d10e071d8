import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * Sets a header on the response this request gets, whichever response the app ends up answering (an error
 * included). Served by @hono/node-server (`c.env.outgoing`), the header goes straight onto Node's
 * `ServerResponse`, which keeps it until the status line is written, so it may also be set after the handler.
 * Anywhere else (`app.request()` in tests) it is `c.header`.
 *
 * Why not always `c.header`: Hono keeps those headers in a WHATWG `Headers` object built for every request, which
 * validates each value on the way in and sorts the list on the way out, and the adapter then copies it back into
 * a plain object for Node. On a cached read (`X-Instance`, `ETag`, `X-Cache`) that was about a sixth of the app's
 * own work per request (BENCHMARKS.md). A header set here still yields to one the response itself carries, as a
 * `c.header` one does.
 *
 * @example setResponseHeader(c, 'X-Cache', 'HIT')
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}
