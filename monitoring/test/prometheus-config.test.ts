import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prometheusVars, scrapeTargets } from '../../scripts/stack/monitoring-config';
import { MONITORING_TEMPLATES } from '../../scripts/stack/native/monitoring';
import { renderTemplateDir } from '../../scripts/stack/native/template-files';
import { findBinary } from '../../scripts/stack/preflight';
import { loadSettings } from '../../scripts/stack/settings';
import { fillTemplate, placeholderNames } from '../../scripts/stack/template';
import { composeTopology, nativeTopology } from '../../scripts/stack/topology';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const template = readFileSync(join(MONITORING_TEMPLATES, 'prometheus.yml.template'), 'utf8');

interface Config {
  global: Record<string, string>;
  scrape_configs: {
    job_name: string;
    honor_labels?: boolean;
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }[];
}

/** Renders monitoring/ as `up` does and runs `promtool check config` on it; returns the parsed config. */
function renderAndCheck(vars: Record<string, string>): Config {
  const dir = mkdtempSync(join(tmpdir(), 'swarmgate-prometheus-'));
  dirs.push(dir);
  renderTemplateDir(MONITORING_TEMPLATES, dir, vars, 'PROMETHEUS_');
  const promtool = findBinary('promtool');
  expect(promtool, 'promtool is installed (make setup)').toBeDefined();
  const check = spawnSync(promtool!, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
  expect(check.status, check.stderr || check.stdout).toBe(0);
  return parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as Config;
}

describe('the Prometheus template', () => {
  it('uses only PROMETHEUS_* placeholders, each of which the renderer fills', () => {
    // envsubst under docker-compose replaces the names it is given; the template may name no other.
    const vars = prometheusVars(nativeTopology(loadSettings({})), '1s');
    expect(placeholderNames(template).sort()).toEqual(Object.keys(vars).sort());
    expect(() => fillTemplate(template, {}, 'PROMETHEUS_', 'prometheus.yml.template')).toThrow(
      'prometheus.yml.template: no value for ${PROMETHEUS_',
    );
  });

  it.each([
    ['native, 3 replicas, 1s', nativeTopology(loadSettings({})), '1s'],
    [
      'native, 5 replicas on other ports, 250ms',
      nativeTopology(loadSettings({ REPLICAS: '5', PROMETHEUS_PORT: '19090', SWARM_METRICS_PORT: '19646' })),
      '250ms',
    ],
    ['compose', composeTopology(loadSettings({})), '15s'],
  ])('renders a config promtool accepts (%s), scraping every target once', (_, topology, interval) => {
    const config = renderAndCheck(prometheusVars(topology, interval));
    // A scrape may not outlast the interval.
    expect(config.global).toMatchObject({ scrape_interval: interval, scrape_timeout: interval });
    const rendered = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) =>
        c.targets.map((address) => ({ job: job.job_name, address, labels: c.labels })),
      ),
    );
    expect(rendered).toEqual(
      scrapeTargets(topology).map((t) => ({ job: t.job, address: t.address, labels: t.labels })),
    );
    // Each replica's and worker's series keep the name it gives itself; no other job takes its targets' labels on
    // trust.
    expect(config.scrape_configs.filter((j) => j.honor_labels).map((j) => j.job_name)).toEqual([
      'api',
      'worker',
    ]);
    for (const w of topology.workers) {
      expect(rendered).toContainEqual({
        job: 'worker',
        address: `${w.host}:${w.port}`,
        labels: { instance: w.name, worker: w.name },
      });
    }
    // Compose's scaled `worker` service by DNS, natively none.
    const dns = config.scrape_configs.find((j) => j.job_name === 'worker')?.dns_sd_configs;
    expect(dns).toEqual(
      topology.workerService ? [{ names: ['worker'], type: 'A', port: topology.workerService.port }] : [],
    );
    for (const r of topology.replicas) {
      expect(rendered).toContainEqual({
        job: 'api',
        address: `${r.host}:${r.port}`,
        labels: { instance: r.name, replica: r.name },
      });
    }
  });
});
