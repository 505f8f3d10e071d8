/**
 * Takes a screenshot of a Swarm HTML report for the docs, in Debian's headless Chromium:
 *
 *   npx --no-install tsx scripts/report-screenshot.ts load_test_reports/stress-…/report.html docs/images/report.png
 *   npx --no-install tsx scripts/report-screenshot.ts REPORT.html OUT.png "Over time"
 *
 * The page's top 1280×1100, or, with a third argument, 1100 px from the heading with that text down.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../packages/swarm/test/support/browser';

const [report, out, heading] = process.argv.slice(2);
if (!report || !out) {
  console.error('usage: report-screenshot.ts REPORT.html OUT.png [HEADING]');
  process.exit(2);
}
// The same Chromium launch as the browser tests: Debian's binary, nothing that reaches the network.
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await page.goto(pathToFileURL(resolve(report)).href);
  if (heading) {
    const box = await page.locator('h1, h2, h3', { hasText: heading }).first().boundingBox({ timeout: 5000 });
    if (!box) throw new Error(`no heading "${heading}" in ${report}`);
    await page.screenshot({
      path: out,
      fullPage: true,
      clip: { x: 0, y: box.y - 8, width: 1280, height: 1100 },
    });
  } else {
    await page.screenshot({ path: out });
  }
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
