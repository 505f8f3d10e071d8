import { between, HttpUser, type Response, task } from 'swarmgate-swarm';
import { type LabRecorder, labRecorder } from '../lib/lab-ledger-file';
import { newEmail, pick, type SeedData } from '../lib/seed-data';
import { ReadTracker } from '../lib/stale-reads';
import { LAB_READ_ROW, LAB_WRITES, versionOfEtag, type WriteOp } from '../lib/write-ledger';

/** What the lab user needs from `setup()`: the seed, its shared rows and the folder of its ledgers. */
export interface LabSetupData extends SeedData {
  /** Rows that every lab user reads and updates: contended, cached and rewritten. Only the lab writes them. */
  labIds: number[];
  /** One ledger file per process (lib/lab-ledger-file.ts); the teardown reads and removes it. */
  labDir: string;
}

/** How many shared rows setup() makes for the lab. */
export const LAB_SHARED_IDS = 20;
/** Rows a user keeps before it deletes the oldest instead of creating another. */
const MAX_OWNED = 20;
/** Deleted ids a user reads again now and then: each must stay 404. */
const KEEP_DELETED = 5;

/**
 * The failure lab's mixed reader and writer. It creates, reads, updates (If-Match) and deletes rows of its own,
 * reads and updates a small shared set, and reads ids it deleted; every write's end goes to the run's ledger
 * (acknowledged, refused, or of unknown outcome), checked against Postgres in the teardown (lost writes), and every
 * read is judged at once against what this user already knew (stale reads, ReadTracker: counted as the custom
 * metric `stale_reads`, recorded with its example for the teardown's table). The rows are named
 * `… [lab]` so the ledger can be held against the summary. Per request: an ETag parse, a map lookup and, for a
 * write, one short string.
 */
export class FaultLabUser extends HttpUser {
  waitTime = between(0.1, 0.5);
  /** Ids of rows this user created and has not deleted, oldest first. */
  private readonly owned: number[] = [];
  private readonly deletedIds: number[] = [];
  private readonly tracker = new ReadTracker();
  private recorder!: LabRecorder;
  private shared: number[] = [];

  private get data(): LabSetupData {
    return this.environment.setupData as LabSetupData;
  }

  override onStart(): void {
    const data = this.data;
    if (!data?.labDir) {
      // Nothing it does could be checked: the run ends rather than measure writes nobody will verify.
      const why = 'FaultLabUser needs the setup() of scenarios/swarmgate.ts (setupData.labDir is missing)';
      this.environment.runner?.quit(why);
      throw new Error(why);
    }
    this.recorder = labRecorder(data.labDir);
    this.shared = data.labIds;
  }

  private record(op: WriteOp, id: number | null, res: Response): number | null {
    const version = res.status === 204 ? null : versionOfEtag(res.headers.etag);
    this.recorder.write({ op, id, version, status: res.status, at: res.time });
    return version;
  }

  /** Judges a read of `id` (a GET, or a 412 naming the current version) against what this user knew. */
  private judge(id: number, res: Response, version: number | null): void {
    const stale = this.tracker.read(id, res.status, version);
    if (stale === null) return;
    this.recorder.stale({
      id,
      ...stale,
      upstream: res.headers['x-upstream'] ?? '',
      instance: res.instance ?? '',
      cache: res.cache ?? '',
      at: res.time,
    });
    this.environment.metrics.add('stale_reads');
    res.failure(`stale read of user ${id}: expected ${stale.expected}, got ${stale.got}`);
  }

  @task(3) async create() {
    if (this.owned.length >= MAX_OWNED) return this.remove();
    const { create } = LAB_WRITES;
    const res = await this.client.post('/api/users', {
      name: create.name,
      json: { email: newEmail(this.data, 'lab'), name: 'Lab User' },
      expect: create.expect,
    });
    const id = res.status === 201 ? res.json<{ id: number }>().id : null;
    const version = this.record('create', id, res);
    if (id !== null && version !== null) {
      this.owned.push(id);
      this.tracker.wrote(id, version);
    }
  }

  @task(6) async readOwn() {
    if (Math.random() < 0.2 && this.deletedIds.length > 0) {
      const id = pick(this.deletedIds);
      const res = await this.client.get(`/api/users/${id}`, { name: LAB_READ_ROW, expect: 404 });
      this.judge(id, res, versionOfEtag(res.headers.etag));
      return;
    }
    if (this.owned.length > 0) await this.read(pick(this.owned));
  }

  @task(8) async readShared() {
    await this.read(pick(this.shared));
  }

  private async read(id: number) {
    const res = await this.client.get(`/api/users/${id}`, { name: LAB_READ_ROW });
    this.judge(id, res, versionOfEtag(res.headers.etag));
    if (res.status === 404) this.forget(id);
  }

  @task(3) async updateOwn() {
    if (this.owned.length > 0) await this.update(pick(this.owned));
  }

  @task(2) async updateShared() {
    await this.update(pick(this.shared));
  }

  /** An If-Match update from what this user knows; a 412 names the current version, which it learns. */
  private async update(id: number) {
    const known = this.tracker.versionOf(id);
    const { update } = LAB_WRITES;
    const res = await this.client.patch(`/api/users/${id}`, {
      name: update.name,
      json: { name: `lab ${Math.floor(Math.random() * 1e6)}` },
      headers: { 'if-match': known === undefined ? '*' : `"v${known}"` },
      expect: update.expect,
    });
    const version = this.record('update', id, res);
    if (res.status === 200 && version !== null) this.tracker.wrote(id, version);
    else if (res.status === 412) this.judge(id, res, version);
    else if (res.status === 404) this.forget(id);
  }

  @task(1) async remove() {
    const id = this.owned.shift();
    if (id === undefined) return;
    const { delete: del } = LAB_WRITES;
    const res = await this.client.delete(`/api/users/${id}`, { name: del.name, expect: del.expect });
    this.record('delete', id, res);
    if (res.status === 204) {
      this.tracker.deleted(id);
      this.deletedIds.push(id);
      if (this.deletedIds.length > KEEP_DELETED) this.deletedIds.shift();
    } else if (res.status !== 404) {
      // Not known to be gone (no answer, a 5xx): keep it, a later read or delete tells.
      this.owned.push(id);
    }
  }

  /** A row of its own that is gone without this user's delete: it stops using it (the teardown judges it). */
  private forget(id: number): void {
    const i = this.owned.indexOf(id);
    if (i >= 0) this.owned.splice(i, 1);
  }
}
