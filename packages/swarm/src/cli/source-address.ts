import { createServer, isIP } from 'node:net';
import { UsageError } from './usage-error';

/**
 * `--source-address A`: checks that A is an IP address (a `UsageError` naming the flag otherwise). Pure.
 *
 * @example
 * parseSourceAddress('127.0.0.2'); // '127.0.0.2'
 */
export function parseSourceAddress(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isIP(text) === 0) {
    throw new UsageError(
      `--source-address: "${text}" is not an IP address; give one of this machine's, e.g. 127.0.0.2 or 10.0.0.5`,
    );
  }
  return text;
}

/**
 * Checks that this machine can send from `address` by binding a listening socket to it for a moment (port 0):
 * an address the machine does not have would make every request fail with EADDRNOTAVAIL, so it is a
 * `UsageError` before any load is sent. On Linux every 127.x.y.z is the loopback's.
 */
export function checkSourceAddress(address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new UsageError(
          `--source-address: cannot send from ${address} (${err.code ?? err.message}): it is no address of this ` +
            'machine (ip -br addr lists them)',
        ),
      );
    });
    server.listen({ host: address, port: 0 }, () => server.close(() => resolve()));
  });
}
