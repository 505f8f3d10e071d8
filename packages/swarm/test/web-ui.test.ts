import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, collectErrors, DOC_IMAGES, launchChromium } from './support/browser';
import { type CliRun, FIXTURES, startCli } from './support/cli';
import { startTestServer, type TestServer, waitFor } from './support/test-server';

// The web UI in a real browser, driven as a person would: `swarm run FILE` (no --headless) against a local
// server, then the HTML report it downloads, opened from disk. One flow, in order: each step needs the last.

let dir: string;
let server: TestServer;
let browser: Browser;
let cli: CliRun;
let stderr = '';
let uiUrl = '';
let page: Page;
let pageErrors: string[];
let downloaded = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-web-'));
  let n = 0;
  // Two replicas and a cache that warms up, so the replica and cache charts have something to draw.
  server = await startTestServer((_req, res) => {
    n++;
    res.setHeader('x-instance', n % 2 ? 'app1' : 'app2');
    res.setHeader('x-cache', n < 200 || n % 4 === 0 ? 'MISS' : 'HIT');
    res.end('ok');
  });
  browser = await launchChromium();
  cli = startCli([
    'run',
    join(FIXTURES, 'counter.ts'),
    '--web-port',
    '0',
    '-u',
    '3',
    '-H',
    server.url,
    '--html',
    join(dir, 'cli-report.html'),
  ]);
  cli.child.stderr!.on('data', (d) => {
    stderr += d;
  });
  await waitFor(() => /web UI on (http:\S+)/.test(stderr), 'the web UI to listen', 30_000);
  uiUrl = /web UI on (http:\S+)/.exec(stderr)![1]!;
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  pageErrors = collectErrors(page);
});

afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGINT');
    await cli.done;
  }
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (selector: string) => page.locator(selector).first().textContent();

/** Polls the page until `check` holds (the page updates once a second over server-sent events). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

describe('web UI', () => {
  it('serves the page with the scenario’s user classes and no run yet', async () => {
    await page.goto(uiUrl);
    expect(await text('#run-state')).toBe('ready');
    expect(
      await page
        .locator('input[name=userClasses]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('value'))),
    ).toEqual(['Browser', 'Buyer']);
    expect(await page.locator('#no-run').count()).toBe(1);
  });

  it('puts a message beside each bad field and starts nothing', async () => {
    await page.fill('#users', '-4');
    await page.fill('#host', 'not a url');
    await page.click('#start');
    await until(async () => (await text('[data-error-for=users]')) !== '', 'the users message');
    expect(await text('#start-form [data-error-for=users]')).toBe('a whole number ≥ 0');
    expect(await text('#start-form [data-error-for=host]')).toContain('http:// or https:// URL');
    expect(await text('#run-state')).toBe('ready');
    expect(server.total()).toBe(0);
  });

  it('starts a run and the request count rises', async () => {
    await page.fill('#users', '2');
    await page.fill('#spawnRate', '50');
    await page.fill('#host', server.url);
    await page.click('#start');
    await until(async () => (await text('#run-state')) === 'running', 'the run to start');
    await until(async () => Number(await text('#stat-requests')) > 0, 'a first request count');
    const first = Number(await text('#stat-requests'));
    await until(async () => Number(await text('#stat-requests')) > first, 'the request count to rise');
    expect(await text('#running-users')).toBe('2');
  });

  it('changes the user count while running and the running users follow', async () => {
    await page.fill('#change-users', '5');
    await page.fill('#change-spawnRate', '100');
    await page.click('#apply');
    await until(async () => (await text('#running-users')) === '5', 'five running users');
    await page.fill('#change-users', '-1');
    await page.click('#apply');
    await until(
      async () => (await text('#change-form [data-error-for=users]')) !== '',
      'the change-form message',
    );
    expect(await text('#running-users')).toBe('5');
    await page.screenshot({ path: join(ARTIFACTS, 'web-ui-running.png') });
  });

  it('resets the statistics while the users keep running', async () => {
    const beforeReset = Date.now();
    await page.click('#reset');
    const startedAt = () =>
      page.evaluate(async () => {
        const summary = (await (await fetch('/download/report.json')).json()) as { startedAt: number };
        return summary.startedAt;
      });
    await until(async () => (await startedAt()) >= beforeReset, 'statistics that start after the reset');
    expect(await text('#running-users')).toBe('5');
    await until(async () => Number(await text('#stat-requests')) > 0, 'requests counted again');
    // The charts after a reset start from scratch: let a few seconds accumulate so the report has lines to draw.
    await until(
      async () =>
        page.evaluate(async () => {
          const summary = (await (await fetch('/download/report.json')).json()) as { timeSeries: unknown[] };
          return summary.timeSeries.length >= 3;
        }),
      'three seconds of statistics after the reset',
    );
  });

  it('stops, shows the verdict and downloads the HTML report', async () => {
    await page.click('#stop');
    await until(async () => (await text('#run-state')) === 'stopped', 'the run to stop');
    expect(await text('#verdict')).toBe('PASS');
    const served = server.total();
    expect(Number(await text('#stat-requests'))).toBeLessThanOrEqual(served);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
    downloaded = join(dir, 'downloaded.html');
    await download.saveAs(downloaded);
    expect(readFileSync(downloaded, 'utf8')).toContain('<span class="verdict pass" id="verdict">PASS</span>');
    // The run's --html file was written by the CLI too, from the same summary.
    expect(existsSync(join(dir, 'cli-report.html'))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'web-ui.png') });
    if (process.env.UPDATE_DOC_IMAGES === '1') {
      mkdirSync(DOC_IMAGES, { recursive: true });
      copyFileSync(join(ARTIFACTS, 'web-ui.png'), join(DOC_IMAGES, 'web-ui.png'));
    }
    // Chrome logs every 4xx answer to fetch: exactly the two refused forms above, nothing else.
    expect(pageErrors).toEqual([
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });

  it('opens the report from disk with every chart drawn and no console error', async () => {
    const report = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(report);
    await report.goto(pathToFileURL(downloaded).href);
    const charts = await report.locator('figure.chart').evaluateAll((figs) =>
      figs.map((f) => ({
        id: f.id,
        lines: f.querySelectorAll('svg polyline.series').length,
        height: f.querySelector('svg')?.getBoundingClientRect().height ?? 0,
      })),
    );
    expect(charts.map((c) => c.id)).toEqual([
      'chart-users',
      'chart-throughput',
      'chart-latency',
      'chart-replicas',
      'chart-cache',
      'chart-engine',
    ]);
    for (const c of charts) {
      expect(c.lines, c.id).toBeGreaterThan(0);
      expect(c.height, c.id).toBeGreaterThan(50);
    }
    expect(await report.locator('#endpoint-table tbody tr').count()).toBeGreaterThan(1);
    await report.screenshot({ path: join(ARTIFACTS, 'report.png') });
    if (process.env.UPDATE_DOC_IMAGES === '1')
      copyFileSync(join(ARTIFACTS, 'report.png'), join(DOC_IMAGES, 'report.png'));
    await report.close();
    expect(errors).toEqual([]);
  });

  it('quits on Ctrl-C with the exit code of the last run', async () => {
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Type\s+Name\s+# reqs/);
  });
});
