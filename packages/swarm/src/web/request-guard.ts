import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http-error';

/**
 * Which requests the web UI obeys (pure). The UI starts load against any host it is given, so a page on another
 * site must not be able to drive it or read it:
 * - a cross-site "simple" request (a form post, or `fetch` with `text/plain`) needs no CORS preflight, so the
 *   browser sends it and only hides the answer: every POST must be `application/json`, which a page on another
 *   origin cannot send without a preflight that this server never grants, and a foreign `Origin` is refused;
 * - DNS rebinding points the attacker's own name at 127.0.0.1, which makes the page same-origin with the UI in the
 *   browser's eyes: only the `Host` header still names the attacker, so a `Host` that is not an address of the UI
 *   is refused on every route.
 */

/** Where the UI listens: the address asked for (`--web-host`) and the port it got. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** This machine's interface addresses and name: what a UI bound to every interface is reached by. */
export interface MachineNames {
  addresses: readonly string[];
  hostname: string;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const NONE: ReadonlySet<string> = new Set();
const EVERY_INTERFACE = ['0.0.0.0', '::'];

/** A name with a port as a browser writes it in `Host` (and `new URL(origin).host`): lower case, IPv6 bracketed. */
function authorities(name: string, port: number): string[] {
  const lower = name.toLowerCase();
  const host = lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
  // Port 80 is the default: browsers leave it out of both headers.
  return port === 80 ? [`${host}:80`, host] : [`${host}:${port}`];
}

/**
 * The `Host` values of the names given with `--web-allowed-host`: a name with a port is taken as it is; a name
 * without one also stands for itself with no port, as a browser sends it through a proxy on 80 or 443
 * (`loadgen.example.com`), and with the UI's port (`loadgen.example.com:8089`).
 *
 * @example
 * allowedAuthorities(['loadgen.example.com', 'proxy:8443'], 8089);
 * // {'loadgen.example.com', 'loadgen.example.com:8089', 'proxy:8443'}
 */
export function allowedAuthorities(names: readonly string[], port: number): ReadonlySet<string> {
  return new Set(
    names.flatMap((n) => {
      const name = n.toLowerCase();
      return /:\d+$/.test(name) ? [name] : [name, `${name}:${port}`];
    }),
  );
}

/**
 * The `Host` values the UI answers to: the loopback names (127.0.0.1, localhost, [::1]) with its port when it
 * listens on loopback (the default); when bound to every interface (0.0.0.0, ::), those plus the machine's
 * addresses and name; when bound to one other address or name, that one only; and in every case the names given
 * with `--web-allowed-host` (see `allowedAuthorities`).
 *
 * @example
 * acceptedHosts({ host: '127.0.0.1', port: 8089 }, machine); // {'127.0.0.1:8089', 'localhost:8089', '[::1]:8089'}
 */
export function acceptedHosts(
  listen: ListenAddress,
  machine: MachineNames,
  allowed: readonly string[] = [],
): ReadonlySet<string> {
  const host = listen.host.toLowerCase();
  let names: readonly string[] = [host];
  if (LOOPBACK.includes(host)) names = LOOPBACK;
  else if (EVERY_INTERFACE.includes(host)) {
    names = [...LOOPBACK, ...EVERY_INTERFACE, ...machine.addresses, machine.hostname];
  }
  const own = names.filter((n) => n !== '').flatMap((n) => authorities(n, listen.port));
  return new Set([...own, ...allowedAuthorities(allowed, listen.port)]);
}

/**
 * The UI's own page: served over http by the UI itself, or over https by a proxy named with `--web-allowed-host`
 * (`proxied`: a TLS proxy in front of the UI is the one place its page has an https origin).
 */
function sameOrigin(origin: string, accepted: ReadonlySet<string>, proxied: ReadonlySet<string>): boolean {
  try {
    const url = new URL(origin);
    if (url.origin !== origin.toLowerCase()) return false;
    if (url.protocol === 'https:') return proxied.has(url.host);
    return url.protocol === 'http:' && accepted.has(url.host);
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) or garbage: not this UI's page
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Throws the `HttpError` a request gets refused with, before any of it is acted on or its body read: 403
 * `FORBIDDEN_HOST` when its `Host` is not one of `accepted` (DNS rebinding), 403 `FORBIDDEN_ORIGIN` when it
 * carries an `Origin` that is not the UI's own (a page on another site; no `Origin` at all is a script or curl,
 * and fine; an https origin only for `proxied`, the `--web-allowed-host` names), 415 `UNSUPPORTED_MEDIA_TYPE` for a POST whose body is not `application/json`.
 *
 * @example
 * guardRequest('POST', { host: 'evil.example:8089', 'content-type': 'text/plain' }, accepted); // throws 403
 */
export function guardRequest(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  accepted: ReadonlySet<string>,
  proxied: ReadonlySet<string> = NONE,
): void {
  const host = headers.host?.toLowerCase();
  if (host === undefined || !accepted.has(host)) {
    throw new HttpError(
      403,
      'FORBIDDEN_HOST',
      `request refused: Host ${host ?? '(none)'} is not an address of this UI (it answers to ${[...accepted].join(', ')})`,
    );
  }
  const origin = headers.origin;
  if (origin !== undefined && !sameOrigin(origin, accepted, proxied)) {
    throw new HttpError(
      403,
      'FORBIDDEN_ORIGIN',
      `cross-site request refused: Origin ${origin} is not this UI`,
    );
  }
  if (method === 'POST' && mediaType(headers['content-type']) !== 'application/json') {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `a POST to this UI must be Content-Type: application/json, not ${headers['content-type'] ?? 'none'}`,
    );
  }
}
