import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors';
import { type DeadlineVariables, deadline, requestStart } from './deadline';

describe('requestStart', () => {
  it('reads nginx $msec seconds, and milliseconds or microseconds from other proxies', () => {
    expect(requestStart('t=1796159564.123')).toBe(1796159564123);
    expect(requestStart('t=1796159564123')).toBe(1796159564123);
    expect(requestStart('t=1796159564123456')).toBe(1796159564123.456);
    expect(requestStart(' t=1796159564 ')).toBe(1796159564000);
  });

  it('ignores what it cannot read', () => {
    for (const h of [undefined, '', 't=', '1796159564', 't=abc', 't=-5', 't=1e9', 't=1.2.3']) {
      expect(requestStart(h), String(h)).toBeUndefined();
    }
  });
});

describe('deadline', () => {
  const now = 1_800_000_000_000;
  const app = new Hono<{ Variables: DeadlineVariables }>();
  app.onError((err, c) => c.json({ code: err instanceof HttpError ? err.code : 'X' }, 503));
  app.use(deadline({ budgetMs: 1000, now: () => now }));
  app.on(['GET', 'POST'], '/', (c) => c.json({ deadline: c.get('deadline') }));
  const at = async (header?: string, method = 'POST') => {
    const res = await app.request('/', { method, headers: header ? { 'x-request-start': header } : {} });
    return (await res.json()) as { deadline?: number; code?: string };
  };

  it('counts from the gateway stamp, or from arrival without one', async () => {
    expect(await at(`t=${(now - 400) / 1000}`)).toEqual({ deadline: now + 600 });
    expect(await at()).toEqual({ deadline: now + 1000 });
  });

  it('refuses a write already past its deadline', async () => {
    expect(await at(`t=${(now - 1000) / 1000}`)).toEqual({ code: 'REQUEST_EXPIRED' });
  });

  it("serves a late read (a GET the gateway retried carries the first try's stamp), giving it no deadline", async () => {
    expect(await at(`t=${(now - 5000) / 1000}`, 'GET')).toEqual({});
    expect(await at(undefined, 'GET')).toEqual({});
  });

  it('does not believe a stamp from the future beyond the skew allowance', async () => {
    expect(await at(`t=${(now + 500) / 1000}`)).toEqual({ deadline: now + 1000 });
    expect(await at(`t=${(now + 60_000) / 1000}`)).toEqual({ deadline: now + 1000 });
  });
});
