import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LabRecords,
  type LedgerEntry,
  type LedgerLine,
  parseLedgers,
  type StaleRead,
} from './write-ledger';

/**
 * Where a run's lab records go: one file per process in a folder the run's setup makes (its path travels in the
 * setup data, which `--processes` hands to every worker). Each process appends its own file, so workers need no
 * channel to the parent and nothing goes through Redis, which may be the part under fault. Records are buffered
 * and appended once a second (and at the process's exit, and when the teardown closes its own process's file):
 * one small synchronous write a second, nothing per request but a string in an array. A worker killed outright
 * loses at most its last second and leaves no end line, which the teardown reports.
 */
export function makeLabDir(): string {
  return mkdtempSync(join(tmpdir(), 'swarmgate-lab-'));
}

const FLUSH_EVERY_MS = 1000;

class LedgerFile {
  private lines: string[] = [];
  private readonly path: string;
  private readonly timer: NodeJS.Timeout;

  constructor(dir: string) {
    this.path = join(dir, `ledger-${process.pid}.jsonl`);
    appendFileSync(this.path, `${JSON.stringify({ k: 'start', pid: process.pid } satisfies LedgerLine)}\n`);
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  push(line: LedgerLine): void {
    this.lines.push(JSON.stringify(line));
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    appendFileSync(this.path, text);
  }

  close(): void {
    clearInterval(this.timer);
    this.push({ k: 'end', pid: process.pid });
    this.flush();
  }
}

const open = new Map<string, LedgerFile>();

function fileFor(dir: string): LedgerFile {
  let f = open.get(dir);
  if (f === undefined) {
    f = new LedgerFile(dir);
    if (open.size === 0) process.once('exit', closeAll);
    open.set(dir, f);
  }
  return f;
}

function closeAll(): void {
  for (const f of open.values()) {
    try {
      f.close();
    } catch {
      // The folder is gone (the teardown removed it, or the parent did): nothing left to tell.
    }
  }
  open.clear();
}

/** This process's recorder for the run whose folder is `dir`. */
export interface LabRecorder {
  write(entry: LedgerEntry): void;
  stale(read: StaleRead): void;
}

/** The recorder of this process for `dir`, made on first use (one file per process and run). */
export function labRecorder(dir: string): LabRecorder {
  const f = fileFor(dir);
  return {
    write: (entry) => f.push({ k: 'w', ...entry }),
    stale: (read) => f.push({ k: 's', ...read }),
  };
}

/**
 * Everything the run's processes recorded in `dir`, for the teardown: this process's own file is closed first
 * (the single-process run: its users ran here); the workers of a `--processes` run closed theirs at exit.
 */
export function readLabDir(dir: string): LabRecords {
  const own = open.get(dir);
  if (own !== undefined) {
    own.close();
    open.delete(dir);
  }
  const files = readdirSync(dir).filter((n) => n.startsWith('ledger-') && n.endsWith('.jsonl'));
  return parseLedgers(files.map((n) => readFileSync(join(dir, n), 'utf8')));
}

export function removeLabDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
