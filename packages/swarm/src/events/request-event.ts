/**
 * One finished request, as the client reports it. This record is the only link between the client and the
 * statistics: stats subscribe to the `request` event and never see a socket.
 */
export interface RequestEvent {
  /** HTTP method, upper case. */
  method: string;
  /** The row this request is counted under: the `name` option, else the URL template. */
  name: string;
  /** Response time in milliseconds: send → last body byte (open model: from the intended start). */
  ms: number;
  /** Open model only: the plain service time, send → last body byte. */
  serviceMs?: number | undefined;
  /** Body bytes received. */
  bytes: number;
  /** HTTP status, 0 when no response arrived. */
  status: number;
  /** Failure reason, or null when the request succeeded. */
  error: string | null;
  /** A 429 answer: counted apart from failures. */
  throttled: boolean;
  /** Value of the instance header (default `X-Instance`), when present. */
  instance?: string | undefined;
  /** Value of the `X-Cache` header, when present. */
  cache?: string | undefined;
  /** Wall-clock completion time, epoch milliseconds (for per-second buckets that align across processes). */
  time: number;
}
