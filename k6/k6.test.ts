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
  const status = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200;
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

  for (const mode of Object.keys(profiles.modes).filter((m) => !labModes.includes(m))) {
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
