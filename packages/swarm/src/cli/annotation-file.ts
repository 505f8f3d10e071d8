import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type AnnotationLog, parseAnnotationLine } from '../stats/annotations';
import type { Annotation } from '../stats/summary-types';

/** A file being followed; `stop()` reads it one last time (a last line without its newline included). */
export interface AnnotationTail {
  stop(): void;
}

export interface TailOptions {
  /** How often the file is looked at, ms. Default 250. */
  everyMs?: number;
  /** Where a bad line is reported. Default: stderr. */
  warn?: (message: string) => void;
}

/**
 * `swarm run --annotations FILE`: follows FILE (JSON lines, see `parseAnnotationLine`) while the run goes and puts
 * each line into `log` — another process (the mode runner) appends to it. The file need not exist yet; a bad line
 * is a warning naming its line number, never a failed run. Read by polling (one timer, no watcher: it works the
 * same on every file system), from where the last read stopped; a file that shrank is read again from its start.
 *
 * @example
 * const tail = tailAnnotations('out/faults.jsonl', log);
 * // ... the run ...
 * tail.stop();
 */
export function tailAnnotations(file: string, log: AnnotationLog, options: TailOptions = {}): AnnotationTail {
  const warn = options.warn ?? ((m: string) => process.stderr.write(`swarm: ${m}\n`));
  const known = new Map<string, Annotation>();
  let offset = 0;
  let lineNo = 0;
  let pending = '';
  const take = (line: string) => {
    lineNo += 1;
    if (line.trim() === '') return;
    try {
      const a = parseAnnotationLine(line, (id) => known.get(id));
      if (a.id !== undefined) known.set(a.id, a);
      log.put({ source: 'file', ...a });
    } catch (err) {
      warn(`--annotations ${file}: line ${lineNo} ignored: ${(err as Error).message}`);
    }
  };
  const read = (final: boolean) => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // not there yet
    }
    if (size < offset) {
      offset = 0;
      lineNo = 0;
      pending = '';
    }
    if (size > offset) {
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(size - offset);
        const n = readSync(fd, buf, 0, buf.length, offset);
        offset += n;
        pending += buf.subarray(0, n).toString('utf8');
      } finally {
        closeSync(fd);
      }
    }
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) take(line);
    if (final && pending !== '') {
      take(pending);
      pending = '';
    }
  };
  read(false);
  const timer = setInterval(() => read(false), options.everyMs ?? 250);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      read(true);
    },
  };
}

/**
 * `--annotations` given more than once (the fault schedule's file and the supervisor's, say): each file followed
 * as `tailAnnotations` does, into the same log, and stopped together. Ids are shared: each writer keeps its own.
 */
export function tailAnnotationFiles(
  files: readonly string[],
  log: AnnotationLog,
  options: TailOptions = {},
): AnnotationTail | null {
  if (files.length === 0) return null;
  const tails = files.map((f) => tailAnnotations(f, log, options));
  return {
    stop() {
      for (const t of tails) t.stop();
    },
  };
}
