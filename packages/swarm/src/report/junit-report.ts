import type { Summary } from '../stats/summary-types';

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The `--junit` report (pure): one test case per threshold, failed ones with their actual value, so CI shows
 * each performance criterion as a test.
 *
 * @example
 * writeFileSync('junit.xml', renderJunit(summary));
 */
export function renderJunit(s: Summary): string {
  const failures = s.thresholds.filter((t) => !t.ok).length;
  const cases = s.thresholds.map((t) => {
    const name = escapeXml(t.expression);
    const actual = t.actual === null ? 'no data' : String(t.actual);
    if (t.ok) return `    <testcase classname="swarm.thresholds" name="${name}" time="0"/>`;
    return (
      `    <testcase classname="swarm.thresholds" name="${name}" time="0">\n` +
      `      <failure message="${escapeXml(`${t.expression} failed: actual ${actual}`)}"/>\n` +
      '    </testcase>'
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${s.thresholds.length}" failures="${failures}" time="${s.durationS}">`,
    `  <testsuite name="swarm thresholds" tests="${s.thresholds.length}" failures="${failures}" time="${s.durationS}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
