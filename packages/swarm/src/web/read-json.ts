import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

const tooLarge = (limit: number) =>
  new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is over ${limit} bytes`);

/** True when a request announces a body (a length above 0, or chunks). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads a request's body as a JSON object (an empty body is `{}`), keeping at most `limit` bytes of it: a
 * Content-Length over the limit is refused before any byte is read, and a chunked body as soon as what arrived
 * passes the limit — the stream is paused and nothing more is kept, so memory stays bounded whatever is sent.
 * Refusals are `HttpError`s (413 `PAYLOAD_TOO_LARGE`, 400 `INVALID_JSON`); the caller answers and closes the
 * connection, since the rest of the body is never read.
 *
 * @example
 * const body = await readJson(req, 64 * 1024);
 */
export function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      chunks.length = 0;
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) stop(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const v: unknown = text.trim() === '' ? {} : JSON.parse(text);
        resolve(
          v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {},
        );
      } catch {
        reject(new HttpError(400, 'INVALID_JSON', 'the body is not JSON'));
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', stop);
    // A client that goes away mid-body: nothing to answer, but the promise must not hang.
    req.once('close', () => stop(new HttpError(400, 'INCOMPLETE_BODY', 'the body ended early')));
  });
}
