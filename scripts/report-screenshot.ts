/**
 * Takes a screenshot of a Swarm HTML report for the docs, in Debian's headless Chromium:
 *
 *   npx --no-install tsx scripts/report-screenshot.ts load_test_reports/stress-…/report.html docs/images/report.png
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, out] = process.argv.slice(2);
if (!report || !out) {
  console.error('usage: report-screenshot.ts REPORT.html OUT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await page.goto(pathToFileURL(resolve(report)).href);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
