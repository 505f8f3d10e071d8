import { connect } from 'node:net';

export interface RawReply {
  /** Every byte the server sent before it closed the connection. */
  bytes: Buffer;
  /** Parsed when the bytes start with a status line; undefined for no answer or a bare (HTTP/0.9) body. */
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `request` as raw bytes on a new connection and collects everything the server sends until it closes the
 * connection (send `Connection: close` in the request): for requests no HTTP client library would send (raw
 * non-ASCII bytes in the target, HTTP/0.9, a 9 KB header). Rejects when the server neither answers nor closes
 * within `timeoutMs`.
 * Example: `await rawRequest(8080, Buffer.from('GET /\r\n'))` → `{ bytes: <empty>, headers: {}, body: '' }`.
 */
export function rawRequest(
  port: number,
  request: Buffer | string,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<RawReply> {
  const { localAddress, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(parseReply(Buffer.concat(chunks)));
    });
  });
}

function parseReply(bytes: Buffer): RawReply {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!head || end < 0) return { bytes, headers: {}, body: text };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { bytes, status: Number(head[1]), headers, body: bytes.subarray(end + 4).toString('utf8') };
}
