/**
 * Takes a screenshot of a Swarm HTML report for the docs, in Debian's headless Chromium:
 *
 *   npx --no-install tsx scripts/report-screenshot.ts load_test_reports/stress-…/report.html docs/images/report.png
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../packages/swarm/test/support/browser';

const [report, out] = process.argv.slice(2);
if (!report || !out) {
  console.error('usage: report-screenshot.ts REPORT.html OUT.png');
  process.exit(2);
}
// The same Chromium launch as the browser tests: Debian's binary, nothing that reaches the network.
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await page.goto(pathToFileURL(resolve(report)).href);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
