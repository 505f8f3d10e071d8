import { describe, expect, it } from 'vitest';
import { AnnotationLog, mergeAnnotations, parseAnnotationLine } from './annotations';

describe('AnnotationLog', () => {
  it('adds instants and windows, closes a window by id, and lists them by time', () => {
    const log = new AnnotationLog('w1-');
    const late = log.annotate('late', { kind: 'note' }, 5000);
    const early = log.annotate('early', { kind: 'fault', at: 1000 }, 9000);
    log.end(early, 3000);
    expect(late).toBe('w1-1');
    expect(log.list()).toEqual([
      { id: 'w1-2', at: 1000, end: 3000, label: 'early', kind: 'fault' },
      { id: 'w1-1', at: 5000, label: 'late', kind: 'note' },
    ]);
  });

  it('refuses an empty label and an unknown id', () => {
    const log = new AnnotationLog();
    expect(() => log.annotate('', {}, 0)).toThrow(/non-empty/);
    expect(() => log.end('nope', 0)).toThrow(/no annotation with id "nope"/);
  });

  it('updates an annotation put again with the same id', () => {
    const log = new AnnotationLog();
    log.put({ id: 'f1', at: 10, label: 'redis frozen', kind: 'fault' });
    log.put({ id: 'f1', at: 10, end: 20, label: 'redis frozen' });
    expect(log.list()).toEqual([{ id: 'f1', at: 10, end: 20, label: 'redis frozen', kind: 'fault' }]);
  });
});

describe('mergeAnnotations', () => {
  it('keeps each annotation once (by id, else by time and label) and an end set in any part', () => {
    const merged = mergeAnnotations([
      [
        { id: 'f1', at: 10, label: 'kill', kind: 'fault' },
        { at: 5, label: 'note' },
      ],
      [
        { id: 'f1', at: 10, end: 30, label: 'kill', kind: 'fault' },
        { at: 5, label: 'note' },
        { at: 5, label: 'other note' },
      ],
      [{ id: 'f1', at: 10, label: 'kill', kind: 'fault' }],
      undefined,
    ]);
    expect(merged).toEqual([
      { at: 5, label: 'note' },
      { at: 5, label: 'other note' },
      { id: 'f1', at: 10, end: 30, label: 'kill', kind: 'fault' },
    ]);
  });
});

describe('parseAnnotationLine', () => {
  const none = () => undefined;

  it('reads a line, and an update of a known id without its start', () => {
    expect(parseAnnotationLine('{"id":1,"at":10,"label":"kill","kind":"fault"}', none)).toEqual({
      id: '1',
      at: 10,
      label: 'kill',
      kind: 'fault',
    });
    const known = { id: 'f', at: 10, label: 'freeze', kind: 'fault' };
    expect(parseAnnotationLine('{"id":"f","end":20}', () => known)).toEqual({ ...known, end: 20 });
  });

  it.each([
    ['nope', /not JSON/],
    ['[1]', /not a JSON object/],
    ['{"label":"x"}', /"at" \(epoch ms\) is missing/],
    ['{"at":1}', /"label" is missing/],
    ['{"at":"1","label":"x"}', /"at" must be a number/],
    ['{"at":5,"end":1,"label":"x"}', /"end" is before "at"/],
  ])('rejects %s', (line, message) => {
    expect(() => parseAnnotationLine(line, none)).toThrow(message);
  });
});
