/**
 * An answer the web UI refuses or fails with: its status and a JSON body `{ error: { code, message, fields? } }`
 * (upper-case codes, named as the service names its own: `VALIDATION_FAILED`, `ROUTE_NOT_FOUND`,
 * `METHOD_NOT_ALLOWED`, ...; `fields` holds one message per bad form field).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** Response headers the answer needs, e.g. `Allow` with a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The JSON body of this error. */
  toJSON(): { error: { code: string; message: string; fields?: Record<string, string> } } {
    return {
      error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) },
    };
  }
}
