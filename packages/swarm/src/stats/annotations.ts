import type { Annotation } from './summary-types';

/** What `environment.annotate(label, options)` accepts besides the label. */
export interface AnnotateOptions {
  kind?: string;
  /** Epoch ms; default now. */
  at?: number;
  /** Epoch ms: makes it a window at once (else `endAnnotation(id)` closes it later, or it stays an instant). */
  end?: number;
  source?: string;
  /** A fault window's recovery from its start instead of its end (see `Annotation.recoverFrom`). */
  recoverFrom?: 'start' | 'end';
}

const byAt = (a: Annotation, b: Annotation) => a.at - b.at || a.label.localeCompare(b.label);

/** Same mark: by id when both have one, else by start and label. */
const keyOf = (a: Annotation) => (a.id !== undefined ? `id\u0000${a.id}` : `at\u0000${a.at}\u0000${a.label}`);

/**
 * The annotations of one run as they come in (pure: the caller passes the clock). An annotation with the `id` of
 * one already there updates it (its fields over the old ones), as a later line of `--annotations FILE` does to
 * set a window's `end`.
 *
 * @example
 * const log = new AnnotationLog('a');
 * const id = log.annotate('redis frozen', { kind: 'fault' }, Date.now());
 * log.end(id, Date.now());
 * log.list(); // [{ id: 'a1', at: ..., end: ..., label: 'redis frozen', kind: 'fault' }]
 */
export class AnnotationLog {
  private readonly byKey = new Map<string, Annotation>();
  private next = 1;

  /** `idPrefix` keeps the ids of several processes apart (a worker's segment). */
  constructor(private readonly idPrefix = 'a') {}

  /** Adds or (same id) updates an annotation. */
  put(a: Annotation): void {
    const key = keyOf(a);
    const seen = this.byKey.get(key);
    this.byKey.set(key, seen === undefined ? { ...a } : { ...seen, ...a });
  }

  /** Adds a mark at `options.at` (default `nowMs`) and returns its id. */
  annotate(label: string, options: AnnotateOptions, nowMs: number): string {
    if (typeof label !== 'string' || label.trim() === '') {
      throw new Error('annotate(label): label must be a non-empty string');
    }
    const id = `${this.idPrefix}${this.next++}`;
    const at = options.at ?? nowMs;
    this.put({
      id,
      at,
      label,
      ...(options.end !== undefined && { end: Math.max(at, options.end) }),
      ...(options.kind !== undefined && { kind: options.kind }),
      ...(options.source !== undefined && { source: options.source }),
      ...(options.recoverFrom !== undefined && { recoverFrom: options.recoverFrom }),
    });
    return id;
  }

  /** Closes the window `id` at `atMs`; an unknown id throws (a typo would otherwise leave a window open). */
  end(id: string, atMs: number): void {
    const seen = this.byKey.get(`id\u0000${id}`);
    if (seen === undefined) throw new Error(`endAnnotation: no annotation with id ${JSON.stringify(id)}`);
    seen.end = Math.max(seen.at, atMs);
  }

  /** Every annotation, sorted by `at` (copies). */
  list(): Annotation[] {
    return [...this.byKey.values()].map((a) => ({ ...a })).sort(byAt);
  }
}

/**
 * Merges the annotations of several parts (workers, segments, the file and the scenario) into one list sorted by
 * `at` (pure): the same annotation (same id, else same `at` and label) once, a later part's fields winning — so a
 * window closed in one part is closed in the merge.
 *
 * @example
 * mergeAnnotations([[{ id: 'f1', at: 1, label: 'kill' }], [{ id: 'f1', at: 1, end: 5, label: 'kill' }]]);
 * // [{ id: 'f1', at: 1, end: 5, label: 'kill' }]
 */
export function mergeAnnotations(lists: ReadonlyArray<readonly Annotation[] | undefined>): Annotation[] {
  const byKey = new Map<string, Annotation>();
  for (const list of lists) {
    for (const a of list ?? []) {
      const key = keyOf(a);
      const seen = byKey.get(key);
      // An end set anywhere closes the window: a part that saw only its start must not reopen it.
      const end = a.end ?? seen?.end;
      byKey.set(key, { ...seen, ...a, ...(end !== undefined && { end }) });
    }
  }
  return [...byKey.values()].sort(byAt);
}

const FIELDS: Record<string, 'string' | 'number'> = {
  id: 'string',
  at: 'number',
  end: 'number',
  label: 'string',
  kind: 'string',
  source: 'string',
  recoverFrom: 'string',
};

/**
 * Reads one line of an annotations file (JSON lines, one object per line: `{"id":"f1","at":1733100000000,
 * "label":"app2 killed","kind":"fault"}`; a later line with the same `id` updates it). Pure; throws an Error saying
 * what is wrong. `at` and `end` are epoch ms; `at` may be left out in an update of a known id (`known`), and an id
 * given as a number is read as a string.
 */
export function parseAnnotationLine(line: string, known: (id: string) => Annotation | undefined): Annotation {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('not a JSON object');
  const v = { ...(value as Record<string, unknown>) };
  if (typeof v.id === 'number') v.id = String(v.id);
  for (const [field, type] of Object.entries(FIELDS)) {
    if (v[field] !== undefined && typeof v[field] !== type) throw new Error(`"${field}" must be a ${type}`);
  }
  const before = typeof v.id === 'string' ? known(v.id) : undefined;
  const a = { ...before, ...v } as Partial<Annotation>;
  if (typeof a.at !== 'number' || !Number.isFinite(a.at)) throw new Error('"at" (epoch ms) is missing');
  if (typeof a.label !== 'string' || a.label === '') throw new Error('"label" is missing');
  if (a.end !== undefined && a.end < a.at) throw new Error('"end" is before "at"');
  const out: Annotation = { at: a.at, label: a.label };
  if (a.id !== undefined) out.id = a.id;
  if (a.end !== undefined) out.end = a.end;
  if (a.kind !== undefined) out.kind = a.kind;
  if (a.source !== undefined) out.source = a.source;
  if (a.recoverFrom !== undefined) {
    if (a.recoverFrom !== 'start' && a.recoverFrom !== 'end')
      throw new Error('"recoverFrom" must be "start" or "end"');
    out.recoverFrom = a.recoverFrom;
  }
  return out;
}
