import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartInput } from '../src/web/form';
import { LiveRun } from '../src/web/live-run';
import { startWebServer, type WebServer } from '../src/web/web-server';
import { waitFor } from './support/test-server';

// The web UI's server with real sockets: what a page on another site (a cross-site "simple" request, or DNS
// rebinding, which makes the browser send the attacker's name as Host) and what an oversized body can do to it.
// The runs are fakes that record what they were asked: nothing here sends load anywhere.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the UI at `url` with exactly these headers; for an event stream, only its first chunk. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      const done = () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        req.destroy();
      };
      res.on('data', (chunk: string) => {
        text += chunk;
        if (String(res.headers['content-type']).startsWith('text/event-stream')) done();
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (host: string, extra: Record<string, string> = {}) => ({
  host,
  'content-type': 'application/json',
  ...extra,
});
const errorOf = (a: Answer) => (JSON.parse(a.body) as { error: { code: string; message: string } }).error;
const startBody = JSON.stringify({
  users: 10000,
  spawnRate: 100,
  host: 'http://127.0.0.1:9',
  userClasses: [],
});

/** A UI over a fake run that records every start and fails at once with `failure` (a setup that threw). */
async function fakeUi(options: { host?: string; failure?: string } = {}) {
  const started: StartInput[] = [];
  const run = new LiveRun(async (input) => {
    started.push(input);
    throw new Error(options.failure ?? 'stopped');
  });
  const ui = await startWebServer({
    run,
    host: options.host,
    port: 0,
    scenario: 'fake.ts',
    classes: ['Reader'],
    defaults: { users: 1, spawnRate: 1, host: '' },
  });
  return { ui, run, started, authority: new URL(ui.url).host };
}

describe('web UI: cross-site and DNS-rebinding requests', () => {
  let ui: WebServer;
  let started: StartInput[];
  let run: LiveRun;
  let authority: string;
  // What the target answered, as a failed setup could have quoted it: only the UI's own page may read it.
  const secret = 'contract: GET /health answered 500, expected 200: <html>internal admin token=SECRET</html>';

  beforeAll(async () => {
    ({ ui, started, run, authority } = await fakeUi({ failure: secret }));
  });
  afterAll(() => ui.close());

  it('refuses a cross-site simple POST (foreign Origin and Host, text/plain) and starts nothing', async () => {
    const a = await send(
      ui.url,
      'POST',
      '/api/start',
      { host: 'evil.example:8089', origin: 'http://evil.example', 'content-type': 'text/plain' },
      startBody,
    );
    expect(a.status).toBe(403);
    expect(errorOf(a).code).toBe('FORBIDDEN_HOST');
    expect(started).toEqual([]);
  });

  it('refuses a foreign Origin even when the Host is the UI’s own', async () => {
    const a = await send(
      ui.url,
      'POST',
      '/api/start',
      json(authority, { origin: 'http://evil.example' }),
      startBody,
    );
    expect(a.status).toBe(403);
    expect(errorOf(a)).toEqual({
      code: 'FORBIDDEN_ORIGIN',
      message: 'cross-site request refused: Origin http://evil.example is not this UI',
    });
    expect(started).toEqual([]);
  });

  it('refuses a POST that is not application/json (the kind a form or no-cors fetch can send)', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const a = await send(
        ui.url,
        'POST',
        '/api/start',
        { host: authority, 'content-type': type },
        startBody,
      );
      expect(a.status, type).toBe(415);
      expect(errorOf(a).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const none = await send(ui.url, 'POST', '/api/stop', { host: authority });
    expect(none.status).toBe(415);
    expect(started).toEqual([]);
  });

  it('refuses every route to a foreign Host, so a rebound page reads neither events, page nor reports', async () => {
    // A run whose setup failed, with the target's answer in its error, as the page would show it.
    const ok = await send(ui.url, 'POST', '/api/start', json(authority, { origin: ui.url }), startBody);
    expect(ok.status).toBe(200);
    await waitFor(() => run.state === 'stopped', 'the fake run to fail');
    const own = await send(ui.url, 'GET', '/events', { host: authority });
    expect(own.body).toContain('SECRET');

    for (const path of ['/events', '/', '/download/report.json']) {
      const a = await send(ui.url, 'GET', path, { host: `evil.example:${new URL(ui.url).port}` });
      expect(a.status, path).toBe(403);
      expect(a.headers['content-type']).toBe('application/json');
      expect(errorOf(a).code).toBe('FORBIDDEN_HOST');
      expect(a.body).not.toContain('SECRET');
    }
  });

  it('accepts the loopback names with its port, with or without a same-origin Origin', async () => {
    const { port } = new URL(ui.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const page = await send(ui.url, 'GET', '/', { host });
      expect(page.status, host).toBe(200);
      const reset = await send(ui.url, 'POST', '/api/reset', json(host, { origin: `http://${host}` }), '{}');
      expect(reset.status, host).toBe(200);
    }
    // A non-browser client sends no Origin; the content type may carry a charset.
    const curl = await send(
      ui.url,
      'POST',
      '/api/reset',
      json(authority, { 'content-type': 'application/json; charset=utf-8' }),
      '{}',
    );
    expect(curl.status).toBe(200);
    // The right name on another port is another origin.
    for (const host of [`127.0.0.1:${Number(port) + 1}`, '127.0.0.1', `localhost.evil.example:${port}`]) {
      expect((await send(ui.url, 'GET', '/', { host })).status, host).toBe(403);
    }
    const otherPort = await send(
      ui.url,
      'POST',
      '/api/reset',
      json(authority, { origin: 'http://127.0.0.1:1' }),
      '{}',
    );
    expect(otherPort.status).toBe(403);
    const opaque = await send(ui.url, 'POST', '/api/reset', json(authority, { origin: 'null' }), '{}');
    expect(opaque.status).toBe(403);
  });

  it('on another --web-host address accepts that address only', async () => {
    const other = await fakeUi({ host: '127.0.0.2' });
    try {
      const { port } = new URL(other.ui.url);
      expect((await send(other.ui.url, 'GET', '/', { host: `127.0.0.2:${port}` })).status).toBe(200);
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `evil.example:${port}`]) {
        expect((await send(other.ui.url, 'GET', '/', { host })).status, host).toBe(403);
      }
    } finally {
      await other.ui.close();
    }
  });
});

/**
 * Sends a body of `total` bytes to /api/start over a raw socket, generated chunk by chunk as the socket drains
 * (chunked, or declared up front with Content-Length), and stops when the server closes the connection. Resolves
 * with what the server answered and how many body bytes the kernel accepted from us: an upper bound on what the
 * server can have read.
 */
function upload(url: string, total: number, framing: 'chunked' | 'length') {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const frame =
    framing === 'chunked' ? Buffer.concat([Buffer.from('10000\r\n'), chunk, Buffer.from('\r\n')]) : chunk;
  return new Promise<{ response: string; accepted: number; closed: boolean }>((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let accepted = 0;
    let queued = 0;
    let closed = false;
    const finish = () => resolve({ response, accepted, closed });
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    socket.on('error', () => {}); // a reset after the answer is what closing early looks like to a sender
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(
      `POST /api/start HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
        (framing === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`) +
        '\r\n',
    );
    const pump = () => {
      while (!socket.destroyed && queued < total) {
        queued += chunk.length;
        const more = socket.write(frame, (err) => {
          if (!err) accepted += chunk.length;
        });
        if (!more) return void socket.once('drain', pump);
      }
      // Everything went out and the server still listens: end the body and give it the chance to answer.
      if (!socket.destroyed) {
        if (framing === 'chunked') socket.write('0\r\n\r\n');
        socket.setTimeout(2000, () => socket.destroy());
      }
    };
    pump();
  });
}

describe('web UI: the body limit bounds what is read', () => {
  const TOTAL = 200 * 1024 * 1024;
  // Kernel buffers on loopback (send + autotuned receive) hold a few MB at most once the server stops reading.
  const BOUND = 48 * 1024 * 1024;
  let ui: WebServer;
  let started: StartInput[];

  beforeAll(async () => {
    ({ ui, started } = await fakeUi());
  });
  afterAll(() => ui.close());

  for (const framing of ['chunked', 'length'] as const) {
    it(`answers a 200 MB ${framing} body 413, closes the connection and reads a bounded part of it`, async () => {
      const r = await upload(ui.url, TOTAL, framing);
      expect(r.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(r.accepted).toBeLessThan(BOUND);
      expect(r.closed).toBe(true);
      expect(r.response.toLowerCase()).toContain('connection: close');
      expect(r.response).toContain('"code":"PAYLOAD_TOO_LARGE"');
      expect(started).toEqual([]);
    });
  }

  it('still takes a body just under the limit, and refuses one just over it', async () => {
    const host = new URL(ui.url).host;
    const pad = (n: number) =>
      JSON.stringify({ users: 1, spawnRate: 1, host: 'http://127.0.0.1:9', pad: 'x'.repeat(n) });
    const under = pad(64 * 1024 - 200);
    const over = pad(64 * 1024);
    expect((await send(ui.url, 'POST', '/api/start', json(host), under)).status).toBe(200);
    const refused = await send(ui.url, 'POST', '/api/start', json(host), over);
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
  });
});
