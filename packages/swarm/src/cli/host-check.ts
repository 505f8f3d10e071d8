import { connect } from 'node:net';

/**
 * Opens and closes one TCP connection to the host of `url` (from `localAddress` when given), so that an unreachable target is reported before
 * the run starts instead of as a table full of connection errors. Resolves null when reachable, else the reason.
 */
export function checkReachable(url: string, timeoutMs = 3000, localAddress?: string): Promise<string | null> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port, ...(localAddress !== undefined && { localAddress }) });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
