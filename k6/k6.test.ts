import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// k6 cannot be installed here, so the scripts run under Node with k6's modules stubbed: this proves they parse,
// that their options evaluate to what scenarios/profiles.json says, and that every user function runs.

const ROOT = join(import.meta.dirname, '..');
const profiles = JSON.parse(readFileSync(join(ROOT, 'scenarios/profiles.json'), 'utf8'));
const seconds = (text: string) =>
  [...text.matchAll(/(\d+)(h|m|s)/g)].reduce(
    (s, m) => s + Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as 'h'],
    0,
  );

const STUBS: Record<string, string> = {
  'index.js': 'export const sleep = (s) => { globalThis.__slept.push(s); };',
  'execution.js': 'export default { vu: { idInTest: 1 }, scenario: { startTime: Date.now() } };',
  'metrics.js': `class Metric { constructor(name) { this.name = name; } add(v, tags) { globalThis.__metrics.push([this.name, v, tags]); } }
export class Counter extends Metric {} export class Rate extends Metric {} export class Trend extends Metric {}`,
  'http.js': `const respond = (method, url, body, params) => {
  globalThis.__requests.push({ method, url, body, params });
  const ingest = url.includes('/api/events');
  const status = ingest ? 202 : method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200;
  const json = url.endsWith('/bulk') ? { items: [{ id: 1 }, { id: 2 }] } : { id: 7 };
  return { status, headers: { 'X-Instance': 'app2', 'X-Cache': 'HIT', ETag: '"v1"' }, timings: { duration: 3 },
    json: (path) => (path ? json[path] : json) };
};
export default {
  get: (url, params) => respond('GET', url, null, params),
  post: (url, body, params) => respond('POST', url, body, params),
  request: (method, url, body, params) => respond(method, url, body, params),
  expectedStatuses: (...s) => ({ expected: s }),
};`,
};

let dir: string;
type Script = Record<string, (...args: unknown[]) => unknown> & { options: Record<string, unknown> };
const g = globalThis as unknown as Record<string, unknown>;

async function load(mode: string): Promise<Script> {
  g.__ENV = { MODE: mode };
  return import(`${pathToFileURL(join(dir, 'k6/swarmgate.js')).href}?mode=${mode}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarmgate-k6-'));
  cpSync(join(ROOT, 'k6'), join(dir, 'k6'), { recursive: true });
  mkdirSync(join(dir, 'scenarios'));
  cpSync(join(ROOT, 'scenarios/profiles.json'), join(dir, 'scenarios/profiles.json'));
  const k6 = join(dir, 'node_modules/k6');
  mkdirSync(k6, { recursive: true });
  const exports = Object.fromEntries(
    Object.keys(STUBS).map((f) => [f === 'index.js' ? '.' : `./${f.slice(0, -3)}`, `./${f}`]),
  );
  writeFileSync(join(k6, 'package.json'), JSON.stringify({ name: 'k6', type: 'module', exports }));
  for (const [file, text] of Object.entries(STUBS)) writeFileSync(join(k6, file), text);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  // k6's open() reads relative to the calling module, which is k6/lib/profile.js.
  g.open = (path: string) => readFileSync(join(dir, 'k6/lib', path), 'utf8');
  Object.assign(g, { __requests: [], __metrics: [], __slept: [] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('k6/swarmgate.js', () => {
  it('refuses to run without a mode', async () => {
    g.__ENV = {};
    await expect(import(`${pathToFileURL(join(dir, 'k6/swarmgate.js')).href}?mode=none`)).rejects.toThrow(
      /MODE=basic/,
    );
  });

  const labModes = Object.keys(profiles.modes).filter(
    (m) => profiles.modes[m].faults || profiles.modes[m].runs,
  );
  it('has failure-lab modes to refuse', () => {
    expect(labModes).toEqual(expect.arrayContaining(['failover', 'redis-outage', 'db-outage', 'pool']));
  });
  for (const mode of labModes) {
    it(`refuses the failure-lab mode ${mode}: k6 cannot apply faults`, async () => {
      await expect(load(mode)).rejects.toThrow(
        new RegExp(`mode ${mode} is a failure-lab mode: k6 cannot apply faults.*\\./load_test\\.sh ${mode}`),
      );
    });
  }

  // The ingest mode has its own script (k6/ingest.js), tested below.
  for (const mode of Object.keys(profiles.modes).filter((m) => !labModes.includes(m) && m !== 'ingest')) {
    it(`mirrors the ${mode} profile's load and thresholds`, async () => {
      const p = profiles.modes[mode];
      const script = await load(mode);
      const scenarios = script.options.scenarios as Record<
        string,
        { stages: { duration: string; target: number }[]; gracefulStop: string; gracefulRampDown: string }
      >;
      expect(Object.keys(scenarios).sort()).toEqual([...p.userClasses].sort());
      for (const [cls, s] of Object.entries(scenarios)) {
        // Iterations get the same time to finish as Swarm's users, at the end and on a ramp-down.
        expect([s.gracefulStop, s.gracefulRampDown]).toEqual([profiles.stopTimeout, profiles.stopTimeout]);
        if (p.rate) {
          // The open model: k6's ramping-arrival-rate with the profile's stages.
          expect(s).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 50, maxVUs: p.maxUsers });
          expect(s.stages).toEqual([{ target: 3000, duration: '90s' }]);
        } else if (p.stages) expect(s.stages).toEqual(p.stages);
        else {
          expect(s.stages.reduce((sum, st) => sum + seconds(st.duration), 0)).toBe(seconds(p.runTime));
          const vus = cls === 'AdminUser' ? 1 : p.users - (p.userClasses.includes('AdminUser') ? 1 : 0);
          expect(s.stages.at(-1)!.target).toBe(vus);
        }
      }
      const thresholds = script.options.thresholds as Record<string, string[]>;
      for (const t of p.thresholds as string[]) {
        const [, metric, rest] = /^([a-z_]+|p\(\d+\))(.*)$/.exec(t)!;
        if (metric === 'rate') expect(thresholds.http_req_failed).toContain(`rate${rest}`);
        else if (metric === 'hit_ratio' || metric === 'warm_hit_ratio')
          expect(thresholds.cache_hit).toContain(`rate${rest!.replace(/^\(\d+\)/, '')}`);
        else if (metric === 'instances') {
          for (let i = 1; i <= profiles.replicas; i++)
            expect(thresholds[`replica_requests{instance:app${i}}`]).toEqual(['count>0']);
        } else if (['avg', 'max', 'min', 'med'].includes(metric!) || metric!.startsWith('p(')) {
          expect(thresholds.http_req_duration).toContain(t);
        }
      }
      // A breakpoint SLO aborts the k6 test when it fails, as Swarm's --abort-on stops the run.
      for (const t of (p.slo ?? []) as string[]) {
        const metric = t.startsWith('rate') ? 'http_req_failed' : 'http_req_duration';
        expect(thresholds[metric]).toContainEqual({ threshold: t, abortOnFail: true, delayAbortEval: '10s' });
      }
    });
  }

  it('runs every user class against the stubbed http module and reports replica and cache metrics', async () => {
    const script = await load('stress');
    const data = script.setup!() as { hot: number[] };
    expect(data.hot).toEqual([1, 2]);
    for (let i = 0; i < 200; i++) {
      script.ScalingSystemUser!(data);
      script.HighVolumeUser!(data);
      script.AdminUser!(data);
    }
    const names = new Set(
      (g.__requests as { params?: { tags?: { name: string } } }[]).map((r) => r.params?.tags?.name),
    );
    for (const name of [
      '/gateway-health',
      '/appN/health',
      '/api/users',
      '/api/users/:id',
      '/api/users/bulk',
    ]) {
      expect(names).toContain(name);
    }
    const metrics = g.__metrics as [string, unknown, Record<string, string> | undefined][];
    expect(metrics.some(([n, , tags]) => n === 'replica_requests' && tags?.instance === 'app2')).toBe(true);
    expect(metrics.some(([n, v]) => n === 'cache_hit' && v === true)).toBe(true);
    expect((g.__slept as number[]).every((s) => s >= 0.1 && s <= 5)).toBe(true);
  });

  it('sends the ingest mode to its own script', async () => {
    await expect(load('ingest')).rejects.toThrow(/k6\/ingest\.js/);
  });

  it('judges the criteria k6 cannot express in handleSummary', async () => {
    const script = await load('stress');
    const out = script.handleSummary!({
      metrics: {
        http_reqs: { values: { count: 300 } },
        http_req_failed: { values: { rate: 0 }, thresholds: { 'rate<0.01': { ok: true } } },
        http_req_duration: { values: { 'p(95)': 12 }, thresholds: { 'p(95)<500': { ok: true } } },
        'replica_requests{instance:app1}': { values: { count: 100 } },
        'replica_requests{instance:app2}': { values: { count: 100 } },
        'replica_requests{instance:app3}': { values: { count: 130 } },
      },
    }) as Record<string, string>;
    expect(out.stdout).toMatch(/FAIL {2}instance_skew<0.1 \(actual 0\.18\d\)/);
    expect(JSON.parse(out['k6-summary.json']!).verdict).toBe('fail');
  });
});

describe('k6/ingest.js', () => {
  async function loadIngest(env: Record<string, string>): Promise<Script> {
    g.__ENV = env;
    return import(`${pathToFileURL(join(dir, 'k6/ingest.js')).href}?env=${JSON.stringify(env)}`);
  }

  it("ramps to TARGET_VUS over the first fifth, holds, ramps down, with the profile's POST thresholds", async () => {
    const p = profiles.modes.ingest;
    const script = await loadIngest({ TARGET_VUS: '40', RUN_TIME: '5m' });
    const s = (script.options.scenarios as Record<string, { stages: unknown; gracefulStop: string }>)
      .IngestUser!;
    expect(s.stages).toEqual([
      { duration: '60s', target: 40 },
      { duration: '180s', target: 40 },
      { duration: '60s', target: 0 },
    ]);
    expect(s.gracefulStop).toBe(profiles.stopTimeout);
    const byDefault = await loadIngest({});
    const stages = (byDefault.options.scenarios as Record<string, { stages: { target: number }[] }>)
      .IngestUser!.stages;
    expect(stages[0]!.target).toBe(p.ramp.targetVus);
    expect(byDefault.options.thresholds).toEqual({
      'http_req_duration{name:/api/events}': ['p(95)<500'],
      'http_req_duration{name:/api/events/batch}': ['p(95)<500'],
      http_req_failed: ['rate<0.01'],
    });
    // What k6 cannot judge is judged after it, from Postgres (scenarios/lib/ingest-k6.ts).
    expect(byDefault.AFTER_RUN).toEqual([
      'ingest_missing==0',
      'ingest_duplicates==0',
      'ingest_unexpected==0',
      'drain_s<60',
    ]);
    await expect(loadIngest({ TARGET_VUS: 'many' })).rejects.toThrow(/TARGET_VUS: must be a whole number/);
  });

  it('posts single events and batches tagged with the run id, counts what was accepted, and reports it', async () => {
    const script = await loadIngest({ RUN_ID: 'k6-test-run' });
    Object.assign(g, { __requests: [], __metrics: [] });
    script.IngestUser!();
    const requests = g.__requests as { url: string; body: string; params: { tags: { name: string } } }[];
    expect(requests.map((r) => r.params.tags.name)).toEqual([
      '/api/events',
      '/api/events',
      '/api/events',
      '/api/events/batch',
    ]);
    expect(JSON.parse(requests[0]!.body).runId).toBe('k6-test-run');
    const batch = JSON.parse(requests[3]!.body).events as { runId: string }[];
    expect(batch).toHaveLength(20);
    expect(batch.every((e) => e.runId === 'k6-test-run')).toBe(true);
    const accepted = (g.__metrics as [string, number][]).filter(([n]) => n === 'ingest_accepted');
    expect(accepted.reduce((sum, [, v]) => sum + v, 0)).toBe(23);
    const out = script.handleSummary!({
      metrics: { ingest_accepted: { values: { count: 23 } } },
    }) as Record<string, string>;
    expect(JSON.parse(out['k6-summary.json']!)).toMatchObject({
      runId: 'k6-test-run',
      accepted: 23,
      verdict: 'pass',
    });
  });
});
