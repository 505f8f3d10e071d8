/**
 * Errors the API answers with. Anything thrown that is not an `HttpError` becomes a 500 without details, so no
 * stack trace or driver message ever reaches a client.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 409 | 412 | 413 | 415 | 428 | 500 | 502 | 503 | 504,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds a client should wait before retrying (sent as `Retry-After`). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new HttpError(400, code, message, details);
export const notFound = (message: string) => new HttpError(404, 'NOT_FOUND', message);
export const conflict = (code: string, message: string, details?: unknown) =>
  new HttpError(409, code, message, details);
export const serviceUnavailable = (code: string, message: string, retryAfterS = 1) =>
  new HttpError(503, code, message, undefined, retryAfterS);

/** The request waited past its deadline (its gateway has given up on it), so it was not run. */
export const requestExpired = () =>
  serviceUnavailable(
    'REQUEST_EXPIRED',
    'the request reached its deadline before it could run, so nothing was changed; retry it',
  );
