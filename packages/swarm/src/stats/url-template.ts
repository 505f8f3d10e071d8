const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const HEX_ID = /^(?=.*\d)[0-9a-f]{16,}$/i;

/**
 * The row name of a request that has no `name`: the path with numeric ids, UUIDs and long hex ids replaced by
 * `:id`, and the query string and fragment dropped, so the table never grows a row per id or per query.
 * An absolute URL keeps only its path.
 *
 * @example
 * urlTemplate('/users/42?fields=name'); // '/users/:id'
 * urlTemplate('http://h/orders/7f0c2a8e-1b2c-4d3e-8f9a-0b1c2d3e4f5a/items/3'); // '/orders/:id/items/:id'
 */
export function urlTemplate(url: string): string {
  let path = url;
  const scheme = path.indexOf('://');
  if (scheme !== -1) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const cut = path.search(/[?#]/);
  if (cut !== -1) path = path.slice(0, cut);
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (NUMBER.test(p) || UUID.test(p) || HEX_ID.test(p)) parts[i] = ':id';
  }
  return parts.join('/') || '/';
}

/**
 * `urlTemplate` with a bounded memo: a scenario requests the same few URLs again and again, and the hot path
 * should not run regular expressions on each of them.
 */
export function memoUrlTemplate(limit = 10_000): (url: string) => string {
  const memo = new Map<string, string>();
  return function templateOf(url: string): string {
    let t = memo.get(url);
    if (t === undefined) {
      t = urlTemplate(url);
      if (memo.size >= limit) memo.clear();
      memo.set(url, t);
    }
    return t;
  };
}
