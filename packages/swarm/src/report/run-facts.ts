import type { MissingSegment, Summary } from '../stats/summary-types';
import { fmtMs, fmtPercent, fmtRate } from './format';
import { esc, section } from './html-parts';

/**
 * What every report says of the run besides its statistics (pure): why it stopped, the iterations the open model
 * dropped (beside the failures), and the segments missing from a partial result.
 */

/**
 * Why the run stopped, in words, or null for a summary that does not say (written before it was recorded).
 *
 * @example
 * stopText(summary); // 'run time 1m reached'
 */
export function stopText(s: Summary): string | null {
  return s.stop?.detail ?? null;
}

/** Open model: iterations due (started or dropped). */
function due(s: Summary): number {
  return s.iterations + s.dropped;
}

/**
 * The open model's dropped iterations beside the failures, or null for a closed-model run: `dropped 12 of 1012
 * due iterations (1.2%)`.
 */
export function droppedText(s: Summary): string | null {
  if (s.config.rate === null && s.iterations === 0 && s.dropped === 0) return null;
  const share = due(s) === 0 ? 0 : s.dropped / due(s);
  return `dropped ${s.dropped} of ${due(s)} due iterations (${fmtPercent(share)})`;
}

/** One missing segment: what it was, why it is missing and what it had sent before. */
export function missingText(m: MissingSegment): string {
  const r = m.lastReport;
  const last =
    r === null
      ? 'it reported nothing before'
      : `its last report, at ${Math.round(r.durationS)}s: ${r.users} users, ${r.requests} requests, ` +
        `${r.failures} failures, p95 ${fmtMs(r.p95Ms)} ms, ${fmtRate(r.rps)} req/s` +
        (r.iterations + r.dropped > 0 ? `, ${r.iterations} iterations, ${r.dropped} dropped` : '');
  return `segment ${m.segment}: ${m.reason}; ${last}`;
}

/**
 * The console's lines: the partial warning first (numbers that lack segments must not pass for the whole run),
 * then why the run stopped with its failures and dropped iterations.
 *
 * @example
 * consoleRunFacts(summary); // 'Stopped: run time 10s reached · failures 0 (0.0%)'
 */
export function consoleRunFacts(s: Summary): string | null {
  const lines: string[] = [];
  const missing = s.partial?.missing ?? [];
  if (missing.length > 0) {
    lines.push(
      `PARTIAL RESULT: ${missing.length} segment${missing.length === 1 ? '' : 's'} missing; every number here is that of the others only`,
      ...missing.map((m) => `  ${missingText(m)} (in no number above)`),
    );
  }
  const facts = [
    stopText(s) === null ? null : `Stopped: ${stopText(s)}`,
    `failures ${s.total.failures} (${fmtPercent(s.total.requests === 0 ? 0 : s.total.failures / s.total.requests)})`,
    droppedText(s),
  ].filter((x) => x !== null);
  lines.push(facts.join(' · '));
  return lines.join('\n');
}

/** The HTML report's warning of a partial result, at the top, or null for a complete run. */
export function partialSection(s: Summary): string | null {
  const missing = s.partial?.missing ?? [];
  if (missing.length === 0) return null;
  const items = missing.map((m) => `<li>${esc(missingText(m))}</li>`).join('');
  return section(
    'partial',
    'Partial result',
    `<p class="warning" id="partial-warning">⚠ ${missing.length} segment${missing.length === 1 ? '' : 's'} missing: ` +
      `every number in this report is that of the other segments only.</p><ul>${items}</ul>`,
  );
}

/** The HTML report's line under the verdict: why the run stopped. */
export function stopParagraph(s: Summary): string | null {
  const text = stopText(s);
  return text === null ? null : `<p class="note" id="stop-reason">Stopped: ${esc(text)}</p>`;
}
