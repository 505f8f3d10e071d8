import { parseSegment } from '../runner/segment';
import type { MissingSegment, Summary } from '../stats/summary-types';

/** A summary file to merge. */
export interface Part {
  file: string;
  summary: Summary;
}

/** What is wrong with a set of parts, each naming the files. */
export interface SegmentProblems {
  /** The same segment (or the same whole run) given twice: merging would count it twice. */
  duplicates: string[];
  /** Parts of different runs (run ids, or segment counts, that differ). */
  mixed: string[];
  /** Segments of the run that no file is. */
  missing: MissingSegment[];
  /**
   * Segments (i/n, n > 1) that did not run their course: stopped by a signal (a pod evicted or deleted, Ctrl-C) or by their
   * caller, a lost worker, or themselves partial. Their numbers are a fraction of their share: merged silently
   * they would pass for the whole run.
   */
  aborted: Array<MissingSegment & { file: string }>;
}

/** Stop reasons that mean a part was cut short by something outside the run's plan. */
const CUT_SHORT: ReadonlySet<string> = new Set(['signal', 'stopped', 'worker_lost']);

/** Why part `p` did not run its course, or null when it did. */
function abortedHow(p: Part): string | null {
  const { stop, partial, durationS } = p.summary;
  if (stop && CUT_SHORT.has(stop.reason)) {
    return `stopped early (${stop.reason}: ${stop.detail}) after ${durationS.toFixed(1)} s`;
  }
  if (partial) return `partial itself: ${partial.missing.map((m) => `${m.segment} ${m.reason}`).join(', ')}`;
  return null;
}

/** `i/n` of a part; a whole run (a `--processes` run, or no segment) is `1/1`. */
function segmentOf(p: Part): { index: number; count: number; label: string } {
  const label = p.summary.config.segment ?? '1/1';
  const s = parseSegment(label);
  return { ...s, label };
}

const runOf = (p: Part) => p.summary.runId ?? '(no run id)';

/**
 * Checks that summaries are the segments of one run, each once and all of them (pure): segments of one run share
 * its id (`summary.runId`) and its segment count n, and between them are 1/n … n/n. Files without a run id
 * (written before it existed) are checked by their segments only.
 *
 * @example
 * checkSegments([{ file: 'a.json', summary: s1 }, { file: 'b.json', summary: s1 }]).duplicates;
 * // ['a.json and b.json are both segment 1/2 of run cfg-5d41402abc4b']
 */
export function checkSegments(parts: readonly Part[]): SegmentProblems {
  const problems: SegmentProblems = { duplicates: [], mixed: [], missing: [], aborted: [] };
  if (parts.length === 0) return problems;
  const first = parts[0]!;
  const ids = new Set(parts.map(runOf));
  if (ids.size > 1) {
    problems.mixed.push(
      `they are of different runs: ${parts.map((p) => `${p.file} is of run ${runOf(p)}`).join(', ')}`,
    );
  }
  const counts = new Set(parts.map((p) => segmentOf(p).count));
  if (counts.size > 1) {
    problems.mixed.push(
      `they split their runs differently: ${parts.map((p) => `${p.file} is segment ${segmentOf(p).label}`).join(', ')}`,
    );
  }
  if (problems.mixed.length > 0) return problems;
  const seen = new Map<number, string>();
  for (const p of parts) {
    const s = segmentOf(p);
    const before = seen.get(s.index);
    if (before === undefined) seen.set(s.index, p.file);
    else {
      const what = s.count === 1 ? 'the whole run' : `segment ${s.label}`;
      problems.duplicates.push(`${before} and ${p.file} are both ${what} of run ${runOf(first)}`);
    }
  }
  // Only segments of a split run: a whole run given alone (e.g. to render its reports again) is what it is.
  for (const p of parts.filter((x) => segmentOf(x).count > 1)) {
    const how = abortedHow(p);
    if (how !== null) {
      problems.aborted.push({ file: p.file, segment: segmentOf(p).label, reason: how, lastReport: null });
    }
  }
  const n = segmentOf(first).count;
  for (let i = 0; i < n; i++) {
    if (!seen.has(i)) {
      problems.missing.push({
        segment: `${i + 1}/${n}`,
        reason: 'no file given to swarm merge',
        lastReport: null,
      });
    }
  }
  return problems;
}
