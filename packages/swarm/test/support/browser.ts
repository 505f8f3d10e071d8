import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Screenshots of the browser tests land here (gitignored); CI may keep them as artifacts. */
export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
/** Committed images for the docs: the browser test refreshes them only with UPDATE_DOC_IMAGES=1. */
export const DOC_IMAGES = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));

/**
 * Launches Debian's headless Chromium (apt `chromium`; never a downloaded browser) with everything that would
 * reach the network switched off.
 */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** Collects console errors and uncaught page errors, so a test can assert there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}
