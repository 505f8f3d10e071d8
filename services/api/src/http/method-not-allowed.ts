import type { RouterRoute } from 'hono/types';

/**
 * The methods each path of an app answers, from its route table, so an unmatched request can tell "no such
 * route" (404) from "no such method on this route" (405 with `Allow`). Middleware (method ALL) and wildcard paths
 * are not routes. GET implies HEAD, as Hono answers HEAD through the GET handler.
 *
 * @example allowedMethods(app.routes)('/api/users/7') // ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']
 */
export function allowedMethods(routes: RouterRoute[]): (path: string) => string[] {
  const byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    if (method === 'ALL' || path.includes('*')) continue;
    let entry = byPattern.get(path);
    if (!entry) {
      const source = path
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      entry = { pattern: new RegExp(`^${source}/?$`), methods: new Set() };
      byPattern.set(path, entry);
    }
    entry.methods.add(method);
    if (method === 'GET') entry.methods.add('HEAD');
  }
  const table = [...byPattern.values()];
  return function methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: m } of table) if (pattern.test(path)) for (const x of m) methods.add(x);
    return [...methods].sort();
  };
}
