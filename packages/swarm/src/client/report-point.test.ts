import { describe, expect, it } from 'vitest';
import { type Reporter, reportPoint } from './report-point';
import { Response } from './response';

/** A client that records what it reports, and responses of its own. */
function fakeClient() {
  const fired: string[] = [];
  const client: Reporter = { pending: null, alsoPending: null, fireRequest: (r) => fired.push(r.name) };
  const response = (name: string) =>
    new Response(client, {
      method: 'GET',
      name,
      url: `/${name}`,
      status: 200,
      ms: 1,
      serviceMs: undefined,
      bytes: 0,
      rawHeaders: null,
      chunks: [],
      error: null,
      instance: undefined,
      cache: undefined,
      time: 0,
    });
  return { client, fired, response };
}

describe('reportPoint: when a request is reported', () => {
  it('at the task’s own verdict, once, and not again later', () => {
    const { client, fired, response } = fakeClient();
    const a = response('a');
    reportPoint.open(client, a);
    a.failure('no id in the body');
    a.success();
    reportPoint.endOfTask(client);
    expect(fired).toEqual(['a']);
    expect(a.error).toBe('no id in the body');
  });

  it('at the next request, when the task moved on without a verdict', () => {
    const { client, fired, response } = fakeClient();
    reportPoint.open(client, response('a'));
    expect(fired).toEqual([]);
    reportPoint.nextRequest(client);
    expect(fired).toEqual(['a']);
  });

  it('at the end of the task', () => {
    const { client, fired, response } = fakeClient();
    reportPoint.open(client, response('a'));
    reportPoint.endOfTask(client);
    reportPoint.endOfTask(client);
    expect(fired).toEqual(['a']);
  });

  it('never, when the test is forced to stop first: dropped, and said so to count it interrupted', () => {
    const { client, fired, response } = fakeClient();
    reportPoint.open(client, response('a'));
    expect(reportPoint.drop(client)).toBe(1);
    expect(reportPoint.drop(client)).toBe(0);
    reportPoint.endOfTask(client);
    expect(fired).toEqual([]);
  });

  it('for requests sent together, each once: its own verdict, then the rest at the end of the task', () => {
    const { client, fired, response } = fakeClient();
    const [a, b, c] = [response('a'), response('b'), response('c')];
    reportPoint.open(client, a);
    reportPoint.open(client, b);
    reportPoint.open(client, c);
    b.failure('judged');
    expect(fired).toEqual(['b']);
    reportPoint.endOfTask(client);
    expect(fired).toEqual(['b', 'a', 'c']);
    expect(b.error).toBe('judged');
  });

  it('drops every open response at a forced stop, and says how many', () => {
    const { client, fired, response } = fakeClient();
    for (const n of ['a', 'b', 'c']) reportPoint.open(client, response(n));
    expect(reportPoint.drop(client)).toBe(3);
    reportPoint.endOfTask(client);
    expect(fired).toEqual([]);
  });
});
