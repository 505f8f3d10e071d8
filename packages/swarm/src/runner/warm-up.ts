// The engine's warm-up: before a run's clock starts, the engine runs a short test of its own against an HTTP server
// inside this process (never the target), so that V8 has compiled the request path — Swarm's client, undici, and
// undici's HTTP parser, WebAssembly that V8 runs unoptimised at first and recompiles in the background once hot —
// before the first request that counts. Without it, a zero-wait run's first half second went at a tenth of its
// speed while V8's compiler threads took the core (BENCHMARKS.md, "The engine's warm-up").
import { createServer, type Server, type Socket } from 'node:net';
import { StopUser } from '../user/control';
import { HttpUser } from '../user/http-user';

/** What a warm-up did: requests answered and how long it took (ms), before the run's clock. */
export interface WarmUpResult {
  requests: number;
  ms: number;
}

/** How big a warm-up is: enough requests for V8 to optimise the path, within a time bound. */
export interface WarmUpSize {
  /** Users requesting at once (each its own connection); default 16. */
  users: number;
  /** Requests of its second round, after which it stops; default 5,000 (the first round makes 200). */
  requests: number;
  /** Longest it may take, in ms; default 1,500 (a loaded machine warms slower, not longer). */
  budgetMs: number;
}

/** Requests of the warm-up's first round, whose only purpose is its end (runner/run.ts). */
export const FIRST_ROUND = 200;

export const DEFAULT_WARM_UP: WarmUpSize = Object.freeze({ users: 16, requests: 5000, budgetMs: 1500 });

/** A canned answer shaped like a proxy's: the headers Swarm reads (instance, cache) and a short body. */
const ANSWER = Buffer.from(
  'HTTP/1.1 200 OK\r\nServer: swarm-warm-up\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n' +
    'Connection: keep-alive\r\nX-Instance: warm-up\r\nX-Cache: HIT\r\n\r\nok',
  'latin1',
);
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

/**
 * How many request heads end in `data` (bodiless requests: the warm-up sends GETs only). A head's end may straddle
 * two reads: the caller keeps the last 3 bytes and passes them in front of the next read.
 */
export function countHeads(data: Buffer): number {
  let n = 0;
  for (let at = data.indexOf(END_OF_HEAD); at !== -1; at = data.indexOf(END_OF_HEAD, at + 4)) n++;
  return n;
}

/** Answers every request head read on `socket` with `ANSWER`, in one write per read. */
function answerHeads(socket: Socket): void {
  socket.setNoDelay(true);
  let carry: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const data = carry === null ? chunk : Buffer.concat([carry, chunk]);
    const n = countHeads(data);
    carry = data.subarray(Math.max(0, data.length - 3));
    if (n === 1) socket.write(ANSWER);
    else if (n > 1) socket.write(Buffer.concat(Array.from({ length: n }, () => ANSWER)));
  });
  // A connection reset by the warm-up's own end is no one's business.
  socket.on('error', () => {});
}

/** A loopback HTTP server answering every GET at once; `close` ends it with its connections. */
export async function startWarmUpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    answerHeads(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * The warm-up's user class: one GET per task, no wait; the run quits once `requests` were answered. Its counter is
 * its own, so two warm-ups (two runs in one process) never share one.
 */
export function warmUpUser(requests: number): typeof HttpUser & { answered: number } {
  class SwarmWarmUp extends HttpUser {
    static override abstract = false;
    static override tasks = ['get'];
    static answered = 0;

    async get(): Promise<void> {
      const r = await this.client.get('/');
      // A refused connection (a source address that cannot reach loopback) ends the warm-up: a colder start.
      if (r.error !== null) this.environment.runner?.quit('warm-up failed');
      // Each user stops itself between requests, so the warm-up ends with nothing in flight: no request aborted
      // at its end, whose error paths would make V8 drop the code it has just optimised.
      if (++SwarmWarmUp.answered >= requests) throw new StopUser();
    }
  }
  return SwarmWarmUp;
}
