/** What a read contradicted: what its user already knew of the id, and what the read answered. */
export interface Staleness {
  expected: string;
  got: string;
}

/**
 * One simulated user's knowledge of the ids it touched, to judge its reads as they come (monotonic reads, per
 * user): once it wrote or read version v of an id, no later read of that id may answer an older version, through
 * any replica; once it deleted an id (a 204), every later read of it must be 404. A 404 for an id the user did not
 * delete is no stale read (another user may have deleted it; a row lost behind the API's back is the lost-write
 * check's to find). Two numbers per id touched; nothing per request but a map lookup.
 *
 * @example
 * const t = new ReadTracker();
 * t.wrote(7, 3);
 * t.read(7, 200, 2); // { expected: '>= v3', got: 'v2' }
 */
export class ReadTracker {
  private readonly seen = new Map<number, number>();
  private readonly gone = new Set<number>();

  /** An acknowledged create or update of `id` at `version` (a 201 or 200). */
  wrote(id: number, version: number): void {
    this.raise(id, version);
  }

  /** An acknowledged delete (a 204). */
  deleted(id: number): void {
    this.gone.add(id);
    this.seen.delete(id);
  }

  /**
   * A read's answer: `status` 200 (or a 412, which names the current version too) with the version its ETag
   * names, or 404. Returns what was contradicted, or null; anything else (a failure, a 5xx) tells nothing.
   */
  read(id: number, status: number, version: number | null): Staleness | null {
    if (status === 404) return null;
    if ((status !== 200 && status !== 412) || version === null) return null;
    if (this.gone.has(id)) return { expected: '404 (deleted)', got: `v${version}` };
    const known = this.seen.get(id);
    if (known !== undefined && version < known) return { expected: `>= v${known}`, got: `v${version}` };
    this.raise(id, version);
    return null;
  }

  /** The highest version this user knows of `id`, if any. */
  versionOf(id: number): number | undefined {
    return this.seen.get(id);
  }

  private raise(id: number, version: number): void {
    const known = this.seen.get(id);
    if (known === undefined || version > known) this.seen.set(id, version);
  }
}
