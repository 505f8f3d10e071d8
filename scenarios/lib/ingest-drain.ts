import { createConnection } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

/**
 * The end of the ingest mode's run: wait until the stream has drained (nothing waiting, nothing pending: Redis's
 * own view of the consumer group, not the workers'), then read the run's rows from Postgres. Redis is asked over
 * a raw connection, one command at a time, as server-side.ts reads its counters (no client library).
 */

type Resp = string | number | null | Resp[];

/**
 * One RESP2 reply parsed from the start of `text` (pure): the value and where it ended, or undefined when the text
 * holds only part of it. Errors (`-ERR ...`) come back as an `Error`.
 */
export function parseResp(text: string, at = 0): { value: Resp | Error; end: number } | undefined {
  const eol = text.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const head = text.slice(at + 1, eol);
  switch (text[at]) {
    case '+':
      return { value: head, end: eol + 2 };
    case '-':
      return { value: new Error(head), end: eol + 2 };
    case ':':
      return { value: Number(head), end: eol + 2 };
    case '$': {
      const n = Number(head);
      if (n < 0) return { value: null, end: eol + 2 };
      // Our replies are ASCII (names, ids, numbers), so characters count as bytes.
      if (text.length < eol + 2 + n + 2) return undefined;
      return { value: text.slice(eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    case '*': {
      const n = Number(head);
      if (n < 0) return { value: null, end: eol + 2 };
      const items: Resp[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseResp(text, end);
        if (item === undefined) return undefined;
        items.push(item.value instanceof Error ? null : item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`not a Redis reply: ${JSON.stringify(text.slice(at, at + 20))}`);
  }
}

/** Sends one command to the Redis at `url` and resolves with its reply; rejects within `timeoutMs`. */
export function redisCommand(url: string, args: readonly string[], timeoutMs = 2000): Promise<Resp> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    let data = '';
    const finish = (err: Error | undefined, value?: Resp) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`Redis at ${hostname}:${port} did not answer in ${timeoutMs} ms`)),
    );
    socket.once('error', (err) => finish(err));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const reply = parseResp(data);
      if (reply === undefined) return;
      if (reply.value instanceof Error) finish(reply.value);
      else finish(undefined, reply.value);
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** The group's entries not yet delivered (Redis 7's lag; else the length less the pending) and pending (pure). */
export function groupState(
  groups: Resp,
  length: number,
  group: string,
): { waiting: number; pending: number } {
  for (const raw of Array.isArray(groups) ? groups : []) {
    if (!Array.isArray(raw)) continue;
    const info = new Map<string, Resp>();
    for (let i = 0; i + 1 < raw.length; i += 2) info.set(String(raw[i]), raw[i + 1]!);
    if (info.get('name') !== group) continue;
    const pending = Number(info.get('pending') ?? 0);
    const lag = info.get('lag');
    return { waiting: typeof lag === 'number' ? lag : Math.max(0, length - pending), pending };
  }
  return { waiting: length, pending: 0 };
}

export interface DrainOptions {
  redisUrl: string;
  stream?: string;
  group?: string;
  /** At most this long (default 60 s). */
  limitMs?: number;
  /** Between readings (default 250 ms). */
  everyMs?: number;
}

/**
 * Waits until the consumer group has nothing waiting and nothing pending; resolves with the seconds it took, or null
 * when `limitMs` ran out first (or Redis stopped answering for that long).
 */
export async function waitForDrain(o: DrainOptions): Promise<number | null> {
  const stream = o.stream ?? 'events';
  const group = o.group ?? 'ingest';
  const started = performance.now();
  const deadline = started + (o.limitMs ?? 60_000);
  while (performance.now() < deadline) {
    try {
      const length = Number(await redisCommand(o.redisUrl, ['XLEN', stream]));
      const groups = length === 0 ? [] : await redisCommand(o.redisUrl, ['XINFO', 'GROUPS', stream]);
      const s = groupState(groups, length, group);
      if (s.waiting === 0 && s.pending === 0) return (performance.now() - started) / 1000;
    } catch {
      // Redis down for a moment: the deadline bounds the wait.
    }
    await delay(o.everyMs ?? 250);
  }
  return null;
}

/** The ids of the rows Postgres holds for `runId`, read directly (one query, bounded by timeouts). */
export async function storedIds(databaseUrl: string, runId: string): Promise<string[]> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5000,
    statement_timeout: 30_000,
    query_timeout: 35_000,
  });
  try {
    await client.connect();
    const res = await client.query<{ id: string }>('SELECT id::text AS id FROM events WHERE run_id = $1', [
      runId,
    ]);
    return res.rows.map((r) => r.id);
  } finally {
    await client.end().catch(() => {});
  }
}
