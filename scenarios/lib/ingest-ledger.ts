import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The ingest mode's ledger: the ids of every event answered 202, one file per process in the run's folder (made
 * by setup, its path in the setup data that `--processes` hands every worker), as lab-ledger-file.ts keeps the
 * failure lab's. Ids are buffered and appended once a second and at exit: per request, one array push.
 */
const FLUSH_EVERY_MS = 1000;

export interface IngestRecorder {
  /** Ids of events about to be POSTed (the client's own ids), before the request goes out. */
  sent(ids: readonly string[]): void;
  accepted(ids: readonly string[]): void;
  /** A POST whose outcome is unknown (no answer, a 5xx): its events may or may not be stored. */
  unknown(): void;
  flush(): void;
}

const open = new Map<string, IngestRecorder>();

/** This process's recorder for the run folder `dir`, made on first use. */
export function ingestRecorder(dir: string): IngestRecorder {
  const existing = open.get(dir);
  if (existing) return existing;
  const file = join(dir, `accepted-${process.pid}.txt`);
  let ids: string[] = [];
  let sentIds: string[] = [];
  let unknown = 0;
  const flush = () => {
    if (ids.length === 0 && sentIds.length === 0 && unknown === 0) return;
    const lines = [...sentIds.map((id) => `>${id}`), ...ids, ...(unknown > 0 ? [`?${unknown}`] : [])];
    const text = `${lines.join('\n')}\n`;
    ids = [];
    sentIds = [];
    unknown = 0;
    try {
      appendFileSync(file, text);
    } catch {
      // The folder is gone (the teardown removed it): nothing left to tell.
    }
  };
  const timer = setInterval(flush, FLUSH_EVERY_MS);
  timer.unref();
  process.once('exit', flush);
  const recorder: IngestRecorder = {
    sent: (more) => {
      for (const id of more) sentIds.push(id);
    },
    accepted: (more) => {
      for (const id of more) ids.push(id);
    },
    unknown: () => {
      unknown++;
    },
    flush,
  };
  open.set(dir, recorder);
  return recorder;
}

/** Every process's ledger in `dir` (this process's flushed first): the accepted ids and the unknown outcomes. */
export function readIngestLedger(dir: string): { accepted: string[]; sent: string[]; unknown: number } {
  open.get(dir)?.flush();
  const accepted: string[] = [];
  const sent: string[] = [];
  let unknown = 0;
  for (const name of readdirSync(dir).filter((n) => n.startsWith('accepted-'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      if (line.startsWith('?')) unknown += Number(line.slice(1));
      else if (line.startsWith('>')) sent.push(line.slice(1));
      else accepted.push(line);
    }
  }
  return { accepted, sent, unknown };
}
