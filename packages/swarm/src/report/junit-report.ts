import type { Summary } from '../stats/summary-types';
import { missingText } from './run-facts';

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The `--junit` report (pure): one test case per threshold, failed ones with their actual value, so CI shows
 * each performance criterion as a test; a partial result (missing segments) adds a skipped case that says so.
 *
 * @example
 * writeFileSync('junit.xml', renderJunit(summary));
 */
export function renderJunit(s: Summary): string {
  const failures = s.thresholds.filter((t) => !t.ok).length;
  const cases = s.thresholds.map((t) => {
    const name = escapeXml(t.expression);
    const actual = t.actual === null ? (t.message ?? 'no data') : String(t.actual);
    if (t.ok) return `    <testcase classname="swarm.thresholds" name="${name}" time="0"/>`;
    return (
      `    <testcase classname="swarm.thresholds" name="${name}" time="0">\n` +
      `      <failure message="${escapeXml(`${t.expression} failed: actual ${actual}`)}"/>\n` +
      '    </testcase>'
    );
  });
  // A partial result says so as a skipped case: CI shows it, and it fails nothing by itself.
  const missing = s.partial?.missing ?? [];
  if (missing.length > 0) {
    const text = `partial result: ${missing.map(missingText).join('; ')}`;
    cases.push(
      '    <testcase classname="swarm.run" name="every segment merged" time="0">\n' +
        `      <skipped message="${escapeXml(text)}"/>\n` +
        '    </testcase>',
    );
  }
  const skipped = missing.length > 0 ? 1 : 0;
  const tests = s.thresholds.length + skipped;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${tests}" failures="${failures}" skipped="${skipped}" time="${s.durationS}">`,
    `  <testsuite name="swarm thresholds" tests="${tests}" failures="${failures}" skipped="${skipped}" time="${s.durationS}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
