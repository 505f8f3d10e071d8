import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error';
import { acceptedHosts, allowedAuthorities, guardRequest } from './request-guard';

const machine = { addresses: ['127.0.0.1', '192.168.1.20', 'fe80::1'], hostname: 'Loadgen' };
const local = acceptedHosts({ host: '127.0.0.1', port: 8089 }, machine);

/** The code a request is refused with, or null when it is obeyed. */
function refusal(
  method: string,
  headers: Record<string, string>,
  accepted = local,
  proxied: ReadonlySet<string> = new Set(),
): string | null {
  try {
    guardRequest(method, headers, accepted, proxied);
    return null;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return `${err.status} ${err.code}`;
  }
}

describe('acceptedHosts', () => {
  it('answers to the loopback names with its port by default', () => {
    expect([...local]).toEqual(['127.0.0.1:8089', 'localhost:8089', '[::1]:8089']);
    expect([...acceptedHosts({ host: 'localhost', port: 8089 }, machine)]).toEqual([...local]);
    expect([...acceptedHosts({ host: '::1', port: 8089 }, machine)]).toEqual([...local]);
  });

  it('answers to one other address or name only, IPv6 in brackets', () => {
    expect([...acceptedHosts({ host: '192.168.1.20', port: 8089 }, machine)]).toEqual(['192.168.1.20:8089']);
    expect([...acceptedHosts({ host: 'FD00::5', port: 9000 }, machine)]).toEqual(['[fd00::5]:9000']);
  });

  it('bound to every interface, answers to the loopback names and the machine’s addresses and name', () => {
    const every = acceptedHosts({ host: '0.0.0.0', port: 8089 }, machine);
    for (const h of [
      'localhost:8089',
      '0.0.0.0:8089',
      '192.168.1.20:8089',
      '[fe80::1]:8089',
      'loadgen:8089',
    ]) {
      expect(every.has(h), h).toBe(true);
    }
    expect(every.has('evil.example:8089')).toBe(false);
  });

  it('also answers to the --web-allowed-host names: with their own port, or without one and with the UI’s', () => {
    const every = acceptedHosts({ host: '0.0.0.0', port: 8089 }, machine, [
      'LoadGen.example.com',
      'proxy:8443',
    ]);
    for (const h of ['loadgen.example.com', 'loadgen.example.com:8089', 'proxy:8443', 'localhost:8089']) {
      expect(every.has(h), h).toBe(true);
    }
    expect(every.has('proxy:8089')).toBe(false);
    expect([...allowedAuthorities(['a.example'], 9000)]).toEqual(['a.example', 'a.example:9000']);
  });

  it('on port 80 also takes the names without a port, as browsers send them', () => {
    expect([...acceptedHosts({ host: '127.0.0.1', port: 80 }, machine)]).toContain('localhost');
  });
});

describe('guardRequest', () => {
  const post = { host: '127.0.0.1:8089', 'content-type': 'application/json' };

  it('obeys its own page and non-browser clients', () => {
    expect(refusal('GET', { host: 'localhost:8089' })).toBeNull();
    expect(refusal('POST', { ...post, origin: 'http://127.0.0.1:8089' })).toBeNull();
    expect(refusal('POST', { ...post, 'content-type': 'Application/JSON; charset=utf-8' })).toBeNull();
  });

  it('refuses a foreign or missing Host (DNS rebinding), whatever the route', () => {
    expect(refusal('GET', { host: 'evil.example:8089' })).toBe('403 FORBIDDEN_HOST');
    expect(refusal('GET', { host: 'localhost:8090' })).toBe('403 FORBIDDEN_HOST');
    expect(refusal('GET', {})).toBe('403 FORBIDDEN_HOST');
    expect(refusal('POST', { ...post, host: 'evil.example:8089', origin: 'http://evil.example:8089' })).toBe(
      '403 FORBIDDEN_HOST',
    );
  });

  it('refuses an Origin that is not the UI’s own', () => {
    for (const origin of [
      'http://evil.example',
      'http://127.0.0.1:8090',
      'https://127.0.0.1:8089',
      'null',
      'http://127.0.0.1:8089/path',
    ]) {
      expect(refusal('POST', { ...post, origin }), origin).toBe('403 FORBIDDEN_ORIGIN');
    }
    // A GET from another site's script is refused too, though the browser would hide the answer anyway.
    expect(refusal('GET', { host: '127.0.0.1:8089', origin: 'http://evil.example' })).toBe(
      '403 FORBIDDEN_ORIGIN',
    );
  });

  it('takes an https Origin only from a --web-allowed-host name: a TLS proxy in front of the UI', () => {
    const names = ['loadgen.example.com'];
    const accepted = acceptedHosts({ host: '0.0.0.0', port: 8089 }, machine, names);
    const proxied = allowedAuthorities(names, 8089);
    const via = { ...post, host: 'loadgen.example.com', origin: 'https://loadgen.example.com' };
    expect(refusal('POST', via, accepted, proxied)).toBeNull();
    expect(refusal('POST', { ...via, origin: 'http://loadgen.example.com' }, accepted, proxied)).toBeNull();
    expect(refusal('POST', { ...via, origin: 'https://evil.example' }, accepted, proxied)).toBe(
      '403 FORBIDDEN_ORIGIN',
    );
    expect(refusal('POST', { ...via, host: 'evil.example' }, accepted, proxied)).toBe('403 FORBIDDEN_HOST');
    expect(refusal('POST', { ...post, origin: 'https://localhost:8089' }, accepted, proxied)).toBe(
      '403 FORBIDDEN_ORIGIN',
    );
  });

  it('refuses a POST that is not application/json: what a form or a no-cors fetch can send', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']) {
      expect(refusal('POST', { ...post, 'content-type': type }), type).toBe('415 UNSUPPORTED_MEDIA_TYPE');
    }
    expect(refusal('POST', { host: '127.0.0.1:8089' })).toBe('415 UNSUPPORTED_MEDIA_TYPE');
  });
});
